package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Objects;

/**
 * The pod's QoS class as {@code pkg/apis/core/v1/helper/qos} computes it, for the question the
 * cpu-boost rule asks: is it Guaranteed (every container and init container has CPU and memory
 * limits equal to its requests)? A request that is absent is taken as its limit, as the API
 * server's defaulting does before admission.
 */
final class Qos {

    private Qos() {
    }

    static boolean guaranteed(Workload pod) {
        List<ObjectNode> all = pod.allContainers();
        if (all.isEmpty()) {
            return false;
        }
        for (ObjectNode container : all) {
            JsonNode limits = container.path("resources").path("limits");
            JsonNode requests = container.path("resources").path("requests");
            for (String resource : List.of("cpu", "memory")) {
                JsonNode limit = limits.path(resource);
                if (limit.isMissingNode() || limit.isNull()) {
                    return false;
                }
                JsonNode request = requests.path(resource);
                if (!request.isMissingNode() && !request.isNull() && !sameAmount(resource, request.asText(), limit.asText())) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean sameAmount(String resource, String a, String b) {
        if (resource.equals("cpu")) {
            var x = CpuQuantity.millis(a);
            var y = CpuQuantity.millis(b);
            return x.isPresent() && y.isPresent() ? x.getAsLong() == y.getAsLong() : Objects.equals(a, b);
        }
        // Memory: only equality matters; same text, or the same number of bytes in another form.
        return Objects.equals(a.trim(), b.trim()) || CpuQuantity.millis(a).equals(CpuQuantity.millis(b));
    }
}
