package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The annotation in which the cpu-boost rule records each boosted container's own CPU limit, as
 * written ({@code app=500m,envoy=1}), so the revert needs nothing but the pod. Container names are
 * DNS labels: no ',' or '='.
 */
public final class CpuBoostRecord {

    /** On the pod: container name to its CPU limit before the boost. */
    public static final String ANNOTATION = "headstart.dev/cpu-boost-original";

    /**
     * On the pod: container name to the CPU limit admission gave it, for the containers raised to a
     * value (not those whose limit was removed). The only value a re-boost after a restart may set:
     * LimitRange and quota accepted it at admission, and LimitRanger does not look at pods/resize.
     */
    public static final String BOOSTED_ANNOTATION = "headstart.dev/cpu-boost-limits";

    /** On the pod: selects boosted pods for the controller's informer (the server filters by it). */
    public static final String LABEL = "headstart.dev/cpu-boosted";

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final int MAX_ENTRIES = 256;

    private CpuBoostRecord() {
    }

    public static String format(Map<String, String> limits) {
        StringBuilder text = new StringBuilder();
        limits.forEach((name, limit) -> text.append(text.isEmpty() ? "" : ",").append(name).append('=').append(limit));
        return text.toString();
    }

    /**
     * The recorded limits in container order, or empty when the text is not such a record (edited by
     * hand, cut): a revert from a damaged record could set a wrong limit, so none is attempted.
     */
    public static Optional<Map<String, String>> parse(String text) {
        if (text == null || text.isBlank() || text.length() > 16_384) {
            return Optional.empty();
        }
        Map<String, String> limits = new LinkedHashMap<>();
        for (String entry : text.split(",", -1)) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || limits.size() >= MAX_ENTRIES) {
                return Optional.empty();
            }
            String name = entry.substring(0, eq).trim();
            String limit = entry.substring(eq + 1).trim();
            if (!NAME.matcher(name).matches() || name.length() > 63 || CpuQuantity.millis(limit).isEmpty()
                    || limits.putIfAbsent(name, limit) != null) {
                return Optional.empty();
            }
        }
        return Optional.of(limits);
    }

    /**
     * The recorded containers whose CPU limit in {@code podSpec} is not (in millicores) the recorded
     * one: what a revert still has to restore. A container the spec no longer names counts as done.
     */
    public static List<String> pending(JsonNode podSpec, Map<String, String> recorded) {
        List<String> pending = new ArrayList<>();
        if (podSpec == null) {
            return pending;
        }
        for (String field : List.of("containers", "initContainers")) {
            for (JsonNode container : podSpec.path(field)) {
                String name = container.path("name").asText("");
                String want = recorded.get(name);
                if (want == null) {
                    continue;
                }
                JsonNode limit = container.path("resources").path("limits").path("cpu");
                if (limit.isMissingNode() || limit.isNull()
                        || !CpuQuantity.millis(limit.asText()).equals(CpuQuantity.millis(want))) {
                    pending.add(name);
                }
            }
        }
        return pending;
    }
}
