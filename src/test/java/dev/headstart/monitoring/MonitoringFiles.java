package dev.headstart.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.headstart.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** manifests/monitoring/: the PrometheusRule and the Grafana dashboard, and the PromQL they hold. */
final class MonitoringFiles {

    static final Path DIR = Path.of("manifests/monitoring");
    static final Path RULE = DIR.resolve("prometheusrule.yaml");
    static final Path DASHBOARD = DIR.resolve("headstart-dashboard.json");
    static final YAMLMapper YAML = new YAMLMapper();

    private MonitoringFiles() {
    }

    static JsonNode rule() {
        try {
            return YAML.readTree(RULE.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode dashboard() {
        try {
            return Json.MAPPER.readTree(DASHBOARD.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every PromQL expression of the rules and of the dashboard's panels. */
    static List<String> expressions() {
        List<String> all = new ArrayList<>();
        for (JsonNode group : rule().at("/spec/groups")) {
            for (JsonNode rule : group.path("rules")) {
                all.add(rule.path("expr").asText());
            }
        }
        for (JsonNode panel : dashboard().path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                all.add(target.path("expr").asText());
            }
        }
        return all;
    }
}
