package dev.headstart.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.json.Json;

/** Small builders for rule tests: objects are written as JSON, the way the API server sends them. */
final class RuleTesting {

    private RuleTesting() {
    }

    static ObjectNode json(String text) {
        return (ObjectNode) tree(text);
    }

    /** Any JSON value, written with single quotes for readability. */
    static com.fasterxml.jackson.databind.JsonNode tree(String text) {
        try {
            return Json.MAPPER.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Workload workload(String text) {
        return Workload.of(json(text)).orElseThrow();
    }

    static Workload pod(String containers) {
        return workload("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'ns'},"
                + "'spec':{'containers':" + containers + "}}");
    }
}
