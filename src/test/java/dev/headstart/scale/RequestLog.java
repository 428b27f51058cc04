package dev.headstart.scale;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Every API request the simulated server answered: when, verb (get, list, watch, create, update,
 * patch, delete) and resource as kube-apiserver's audit log and metrics name them, status, bytes
 * and time taken. The benchmark reads its figures from this log, never from the controller.
 */
final class RequestLog {

    record Entry(long atMillis, String verb, String resource, String namespace, String name, int code, long bytes,
                 long millis) {
    }

    private final List<Entry> entries = new ArrayList<>();

    synchronized void add(Entry entry) {
        entries.add(entry);
    }

    synchronized ArrayNode toJson(long sinceMillis) {
        ArrayNode array = ObjectStore.MAPPER.createArrayNode();
        for (Entry e : entries) {
            if (e.atMillis() >= sinceMillis) {
                ObjectNode o = array.addObject().put("t", e.atMillis()).put("verb", e.verb()).put("resource", e.resource())
                        .put("code", e.code()).put("bytes", e.bytes()).put("ms", e.millis());
                if (e.namespace() != null) {
                    o.put("ns", e.namespace());
                }
                if (e.name() != null) {
                    o.put("name", e.name());
                }
            }
        }
        return array;
    }
}
