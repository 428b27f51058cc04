package dev.headstart.controller.headroom;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.json.Json;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Headroom sizing parameters in cluster-proportional-autoscaler (CPA) form: a JSON object with
 * exactly one of {@code linear} or {@code ladder}.
 *
 * <p>Parsing is stricter than CPA, which ignores what it does not understand: unknown keys, wrong
 * types, negative values, fractional replica counts, {@code min > max}, both or neither mode, a
 * linear without any per-replica term, a ladder without any step, and a step threshold given twice
 * are all rejected, so a typo ({@code corePerReplica}) never silently resizes the headroom.
 */
public sealed interface HeadroomParams permits HeadroomParams.Linear, HeadroomParams.Ladder, HeadroomParams.Percentage {

    /** Count cordoned nodes (and their cores) as well, as CPA's flag of the same name. */
    boolean includeUnschedulableNodes();

    /** {@code linear}; a per-replica term of 0 is absent (CPA: that term yields 1 replica). */
    record Linear(double coresPerReplica, double nodesPerReplica, int min, int max,
            boolean preventSinglePointFailure, boolean includeUnschedulableNodes) implements HeadroomParams {
    }

    /** {@code ladder}: steps sorted by threshold, each {threshold, replicas}. */
    record Ladder(List<Step> coresToReplicas, List<Step> nodesToReplicas, boolean includeUnschedulableNodes)
            implements HeadroomParams {
    }

    /**
     * {@code percentage} (pools only): {@code cpu} percent of the counted nodes' allocatable CPU,
     * in pause pods of the pool's shape, rounded up, within [min, max] ({@code max} 0: unbounded).
     */
    record Percentage(double cpu, int min, int max, boolean includeUnschedulableNodes) implements HeadroomParams {
    }

    /** One ladder step: from {@code threshold} (inclusive) on, {@code replicas}. */
    record Step(long threshold, int replicas) {
    }

    Set<String> LINEAR_KEYS = Set.of("coresPerReplica", "nodesPerReplica", "min", "max",
            "preventSinglePointFailure", "includeUnschedulableNodes");
    Set<String> LADDER_KEYS = Set.of("coresToReplicas", "nodesToReplicas", "includeUnschedulableNodes");

    static HeadroomParams parse(String json) {
        return parse(json, false);
    }

    /**
     * @param pool the pools form: {@code percentage} is allowed, and an explicit linear {@code min: 0}
     *             is honoured (zero headroom), where CPA's form reads it as 1
     */
    static HeadroomParams parse(String json, boolean pool) {
        if (json == null || json.isBlank()) {
            throw new InvalidHeadroomParamsException("params are empty");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidHeadroomParamsException("params are not JSON: " + e.getOriginalMessage().replaceAll("\\s+", " "));
        }
        if (root == null || !root.isObject()) {
            throw new InvalidHeadroomParamsException("params must be a JSON object with 'linear' or 'ladder'");
        }
        return of(root, pool);
    }

    /** From a parsed object holding exactly one sizing key (and, for a pool, nothing else is looked at). */
    static HeadroomParams of(JsonNode root, boolean pool) {
        if (!pool) {
            checkKeys(root, Set.of("linear", "ladder"), "params");
        }
        int modes = (root.has("linear") ? 1 : 0) + (root.has("ladder") ? 1 : 0) + (pool && root.has("percentage") ? 1 : 0);
        if (modes != 1) {
            throw new InvalidHeadroomParamsException(pool
                    ? "pool must have exactly one of 'linear', 'ladder' or 'percentage'"
                    : "params must have exactly one of 'linear' or 'ladder'");
        }
        if (root.has("percentage")) {
            return percentage(root.get("percentage"));
        }
        return root.has("linear") ? linear(root.get("linear"), pool) : ladder(root.get("ladder"));
    }

    private static Percentage percentage(JsonNode node) {
        object(node, "percentage");
        checkKeys(node, Set.of("cpu", "min", "max", "includeUnschedulableNodes"), "percentage");
        JsonNode cpu = node.get("cpu");
        if (cpu == null || !cpu.isNumber() || cpu.asDouble() <= 0 || cpu.asDouble() > 100) {
            throw new InvalidHeadroomParamsException("percentage.cpu must be a number above 0 and at most 100, not " + cpu);
        }
        int min = integer(node, "min", "percentage");
        int max = integer(node, "max", "percentage");
        if (max != 0 && max < min) {
            throw new InvalidHeadroomParamsException("percentage.max " + max + " is below min " + min);
        }
        return new Percentage(cpu.asDouble(), min, max, bool(node, "includeUnschedulableNodes"));
    }

    private static Linear linear(JsonNode node, boolean pool) {
        object(node, "linear");
        checkKeys(node, LINEAR_KEYS, "linear");
        double cores = number(node, "coresPerReplica");
        double nodes = number(node, "nodesPerReplica");
        int min = integer(node, "min", "linear");
        int max = integer(node, "max", "linear");
        boolean spof = bool(node, "preventSinglePointFailure");
        if (cores == 0 && nodes == 0) {
            throw new InvalidHeadroomParamsException("linear needs coresPerReplica or nodesPerReplica greater than 0");
        }
        if (min == 0 && !(pool && node.has("min"))) {
            min = 1; // CPA: min defaults to 1 (and 0 means 1); a pool's explicit 0 is zero headroom
        }
        if (max != 0 && max < min) {
            throw new InvalidHeadroomParamsException("linear.max " + max + " is below min " + min);
        }
        if (spof && max == 1) {
            throw new InvalidHeadroomParamsException("linear.preventSinglePointFailure needs max 0 or at least 2, not 1");
        }
        return new Linear(cores, nodes, min, max, spof, bool(node, "includeUnschedulableNodes"));
    }

    private static Ladder ladder(JsonNode node) {
        object(node, "ladder");
        checkKeys(node, LADDER_KEYS, "ladder");
        List<Step> cores = steps(node, "coresToReplicas");
        List<Step> nodes = steps(node, "nodesToReplicas");
        if (cores.isEmpty() && nodes.isEmpty()) {
            throw new InvalidHeadroomParamsException("ladder needs at least one step in coresToReplicas or nodesToReplicas");
        }
        return new Ladder(cores, nodes, bool(node, "includeUnschedulableNodes"));
    }

    private static List<Step> steps(JsonNode ladder, String field) {
        JsonNode list = ladder.get(field);
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new InvalidHeadroomParamsException("ladder." + field + " must be a list of [threshold, replicas]");
        }
        List<Step> steps = new ArrayList<>();
        for (JsonNode entry : list) {
            if (!entry.isArray() || entry.size() != 2 || !isWhole(entry.get(0)) || !isWhole(entry.get(1))
                    || entry.get(0).asLong() < 0 || entry.get(1).asLong() < 0 || entry.get(1).asLong() > Integer.MAX_VALUE) {
                throw new InvalidHeadroomParamsException("ladder." + field + " entry " + entry
                        + " must be [threshold, replicas] of whole numbers >= 0");
            }
            steps.add(new Step(entry.get(0).asLong(), entry.get(1).asInt()));
        }
        steps.sort(Comparator.comparingLong(Step::threshold));
        for (int i = 1; i < steps.size(); i++) {
            if (steps.get(i).threshold() == steps.get(i - 1).threshold()) {
                throw new InvalidHeadroomParamsException("ladder." + field + " has threshold "
                        + steps.get(i).threshold() + " twice");
            }
        }
        return List.copyOf(steps);
    }

    private static void object(JsonNode node, String name) {
        if (node == null || !node.isObject()) {
            throw new InvalidHeadroomParamsException("'" + name + "' must be a JSON object");
        }
    }

    private static void checkKeys(JsonNode node, Set<String> known, String where) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            String key = it.next().getKey();
            if (!known.contains(key)) {
                throw new InvalidHeadroomParamsException("unknown key '" + key + "' in " + where
                        + " (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static double number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return 0;
        }
        if (!value.isNumber() || value.asDouble() < 0 || !Double.isFinite(value.asDouble())) {
            throw new InvalidHeadroomParamsException("linear." + field + " must be a number >= 0, not " + value);
        }
        return value.asDouble();
    }

    private static int integer(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return 0;
        }
        if (!isWhole(value) || value.asLong() < 0 || value.asLong() > Integer.MAX_VALUE) {
            throw new InvalidHeadroomParamsException(where + "." + field + " must be a whole number >= 0, not " + value);
        }
        return value.asInt();
    }

    private static boolean bool(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new InvalidHeadroomParamsException(field + " must be true or false, not " + value);
        }
        return value.asBoolean();
    }

    private static boolean isWhole(JsonNode value) {
        return value != null && (value.isIntegralNumber()
                || (value.isNumber() && value.asDouble() == Math.rint(value.asDouble())));
    }
}
