package dev.headstart.controller.headroom;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.json.Json;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Quantity;
import dev.headstart.imagecache.NodeSelectorMatch;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One headroom pool: where its pause pods may land, which nodes size it, how it is sized, the
 * shape of one pause pod and whether it spreads over zones. The ConfigMap's {@code "pools": [...]}
 * holds several; the CPA form ({@code {"linear": ...}}) is one pool named {@code default} placed and
 * shaped by the {@code headstart.headroom.*} keys.
 *
 * @param countNodes the labels a counted node carries; empty: the pool's node selector
 * @param shape      the requests of one pause pod (cpu, memory, ephemeral-storage, extended resources)
 * @param minPerZone with {@code spread}, the least pause pods in every zone
 * @param schedules  named windows that raise or replace the plan while open ({@link HeadroomSchedule})
 * @param mode       pause pods, a CapacityBuffer, or a CapacityBuffer where the API server serves them
 * @param shapeFrom  the workload whose pod requests size one pause pod (null: {@code shape} alone);
 *                   {@code shape} is empty when it was not given, so a missing workload skips the pool
 * @param requiredNodeAffinity required node affinity terms of the pause pods (ORed), also applied by the census
 */
public record HeadroomPool(String name, Map<String, String> nodeSelector, List<TaintSpec> tolerations,
        Map<String, String> countNodes, HeadroomParams sizing, Map<String, Quantity> shape, boolean spread,
        int minPerZone, List<HeadroomWindow> schedules, Mode mode, WorkloadRef shapeFrom,
        List<NodeSelectorTerm> requiredNodeAffinity) {

    /** How a pool holds its headroom. */
    public enum Mode {
        /** Pause pods that real pods preempt (default). */
        PAUSE_PODS("pause-pods"),
        /** Only a CapacityBuffer; nothing while the API server does not serve them. */
        BUFFER("buffer"),
        /** A CapacityBuffer where the API server serves them, pause pods elsewhere. */
        AUTO("auto");

        private final String text;

        Mode(String text) {
            this.text = text;
        }

        /** As written in the ConfigMap and printed by the CLI. */
        public String text() {
            return text;
        }

        static Mode parse(String text, String pool) {
            for (Mode mode : values()) {
                if (mode.text.equals(text)) {
                    return mode;
                }
            }
            throw new InvalidHeadroomParamsException("pool " + pool + ": mode must be 'pause-pods', 'buffer' or 'auto', not '"
                    + text + "'");
        }
    }

    /** A workload whose pod template sizes the pause pods: Deployment or StatefulSet, by namespace and name. */
    public record WorkloadRef(String kind, String namespace, String name) {

        public static final Set<String> KINDS = Set.of("Deployment", "StatefulSet");

        @Override
        public String toString() {
            return kind + " " + namespace + "/" + name;
        }
    }

    /** The requests of one pod of a workload's template, as one pause pod of {@code shapeFrom} asks for them. */
    public static Map<String, Quantity> shapeOf(io.fabric8.kubernetes.api.model.PodSpec spec) {
        return WorkloadShape.of(spec);
    }

    /** The {@code shapeFrom} workload's pod spec, read by name; empty when it does not exist. */
    public static java.util.Optional<io.fabric8.kubernetes.api.model.PodSpec> readWorkload(
            io.fabric8.kubernetes.client.KubernetesClient client, WorkloadRef ref) {
        return WorkloadShape.read(client, ref);
    }

    /** The same pool with the shape its pause pods get this pass (from {@link #shapeFrom}, or its own). */
    public HeadroomPool withShape(Map<String, Quantity> resolved) {
        return new HeadroomPool(name, nodeSelector, tolerations, countNodes, sizing, Map.copyOf(resolved), spread,
                minPerZone, schedules, mode, shapeFrom, requiredNodeAffinity);
    }

    public static final String DEFAULT = "default";
    public static final String ZONE_LABEL = "topology.kubernetes.io/zone";

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,18}[a-z0-9])?");
    private static final Set<String> KEYS = Set.of("name", "nodeSelector", "tolerations", "countNodes", "linear",
            "ladder", "percentage", "shape", "zones", "mode", "schedules", "shapeFrom", "requiredNodeAffinity");

    /** The placeholders' node selector: the pool's, on Linux nodes unless it names an OS. */
    public Map<String, String> podNodeSelector() {
        Map<String, String> selector = new TreeMap<>(nodeSelector);
        selector.putIfAbsent(HeadroomSettings.OS_LABEL, "linux");
        return selector;
    }

    /** Only nodes this pool's pause pods could land on (labels, taints, never virtual or disrupted). */
    public NodeCensus census(TaintSpec warmupTaint) {
        Map<String, String> labels = new LinkedHashMap<>(countNodes.isEmpty() ? podNodeSelector() : countNodes);
        labels.putIfAbsent(HeadroomSettings.OS_LABEL, podNodeSelector().get(HeadroomSettings.OS_LABEL));
        return new NodeCensus(labels, tolerations.stream().map(TaintSpec::toleration).toList(), warmupTaint,
                requiredNodeAffinity);
    }

    /** CPU of one pause pod in millicores (0 when it asks for none). */
    public long shapeMilliCpu() {
        Quantity cpu = shape.get("cpu");
        return cpu == null ? 0 : cpu.getNumericalAmount().multiply(BigDecimal.valueOf(1000)).longValue();
    }

    /** The single pool of the CPA form, from the configuration keys. */
    public static HeadroomPool fromSettings(HeadroomSettings settings, HeadroomParams sizing) {
        Map<String, Quantity> shape = new LinkedHashMap<>();
        shape.put("cpu", new Quantity(settings.cpu()));
        shape.put("memory", new Quantity(settings.memory()));
        return new HeadroomPool(DEFAULT, settings.nodeSelector(), settings.tolerations(), settings.nodeLabels(), sizing,
                shape, false, 0, List.of(), Mode.PAUSE_PODS, null, List.of());
    }

    /** The pools of a ConfigMap: each one parsed on its own, so one bad pool never hides the others. */
    public record Parsed(Map<String, HeadroomPool> pools, Map<String, String> errors, boolean poolsForm) {
    }

    /**
     * Parses the ConfigMap text: the CPA form (one pool {@code default}) or {@code {"pools": [...]}}.
     * A text that is no JSON object, or a CPA form that is invalid, throws; a bad pool is an entry of
     * {@link Parsed#errors()} keyed by its name (or {@code #index} when it has none).
     */
    public static Parsed parseAll(String text, HeadroomSettings settings) {
        if (text == null || text.isBlank()) {
            throw new InvalidHeadroomParamsException("params are empty");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidHeadroomParamsException("params are not JSON: " + e.getOriginalMessage().replaceAll("\\s+", " "));
        }
        if (root == null || !root.isObject()) {
            throw new InvalidHeadroomParamsException("params must be a JSON object with 'linear', 'ladder' or 'pools'");
        }
        if (!root.has("pools")) {
            HeadroomParams params = HeadroomParams.parse(text);
            return new Parsed(Map.of(DEFAULT, fromSettings(settings, params)), Map.of(), false);
        }
        if (root.size() != 1) {
            throw new InvalidHeadroomParamsException("with 'pools', no other top-level key is allowed");
        }
        JsonNode list = root.get("pools");
        if (!list.isArray()) {
            throw new InvalidHeadroomParamsException("'pools' must be a list");
        }
        Map<String, HeadroomPool> pools = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        int index = 0;
        for (JsonNode node : list) {
            String key = node.path("name").isTextual() ? node.path("name").asText() : "#" + index;
            index++;
            if (pools.containsKey(key) || errors.containsKey(key)) {
                errors.put(key, "pool name '" + key + "' is used twice");
                pools.remove(key);
                continue;
            }
            try {
                pools.put(key, parse(node));
            } catch (InvalidHeadroomParamsException e) {
                errors.put(key, e.getMessage());
            }
        }
        return new Parsed(pools, errors, true);
    }

    static HeadroomPool parse(JsonNode node) {
        if (!node.isObject()) {
            throw new InvalidHeadroomParamsException("a pool must be a JSON object");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new InvalidHeadroomParamsException("unknown key '" + key + "' in pool (known: "
                        + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
            }
        }
        String name = node.path("name").asText("");
        if (!NAME.matcher(name).matches()) {
            throw new InvalidHeadroomParamsException("pool name '" + name
                    + "' must be 1-20 lower-case letters, digits and '-' (it is part of object names)");
        }
        Mode mode = Mode.parse(node.path("mode").asText("pause-pods"), name);
        HeadroomParams sizing;
        try {
            sizing = HeadroomParams.of(node, true);
        } catch (InvalidHeadroomParamsException e) {
            throw new InvalidHeadroomParamsException("pool " + name + ": " + e.getMessage());
        }
        Map<String, String> selector = labels(node.get("nodeSelector"), name, "nodeSelector");
        Map<String, String> count = node.has("countNodes")
                ? (node.get("countNodes").isTextual() ? selector(node.get("countNodes").asText(), name)
                : labels(node.get("countNodes"), name, "countNodes"))
                : Map.of();
        List<TaintSpec> tolerations = new ArrayList<>();
        JsonNode tol = node.get("tolerations");
        if (tol != null && !tol.isNull()) {
            if (!tol.isArray()) {
                throw new InvalidHeadroomParamsException("pool " + name + ": tolerations must be a list of \"key[=value][:Effect]\"");
            }
            for (JsonNode t : tol) {
                try {
                    tolerations.add(TaintSpec.parse(t.asText()));
                } catch (IllegalArgumentException e) {
                    throw new InvalidHeadroomParamsException("pool " + name + ": " + e.getMessage());
                }
            }
        }
        WorkloadRef shapeFrom = shapeFrom(node.get("shapeFrom"), name);
        // With shapeFrom, an explicit shape is the fallback while the workload is missing; none: no fallback.
        Map<String, Quantity> shape = shapeFrom != null && (node.get("shape") == null || node.get("shape").isNull())
                ? Map.of() : shape(node.get("shape"), name);
        boolean spread = false;
        int minPerZone = 0;
        JsonNode zones = node.get("zones");
        if (zones != null && !zones.isNull()) {
            if (!zones.isObject() || (zones.has("spread") && !zones.get("spread").isBoolean())
                    || (zones.has("minPerZone") && (!zones.get("minPerZone").canConvertToInt()
                    || zones.get("minPerZone").asInt() < 0 || !zones.get("minPerZone").isIntegralNumber()))) {
                throw new InvalidHeadroomParamsException("pool " + name
                        + ": zones must be {\"spread\": true|false, \"minPerZone\": whole number >= 0}");
            }
            spread = zones.path("spread").asBoolean(false);
            minPerZone = zones.path("minPerZone").asInt(spread ? 1 : 0);
        }
        return new HeadroomPool(name, selector, List.copyOf(tolerations), count, sizing, shape, spread, minPerZone,
                schedules(node.get("schedules"), name), mode, shapeFrom, affinity(node.get("requiredNodeAffinity"), name));
    }

    private static WorkloadRef shapeFrom(JsonNode node, String pool) {
        if (node == null || node.isNull()) {
            return null;
        }
        String usage = "pool " + pool + ": shapeFrom must be {\"kind\": \"Deployment\"|\"StatefulSet\", \"namespace\": ..., \"name\": ...}";
        if (!node.isObject() || node.size() != 3 || !node.path("kind").isTextual() || !node.path("namespace").isTextual()
                || !node.path("name").isTextual()) {
            throw new InvalidHeadroomParamsException(usage);
        }
        String kind = node.get("kind").asText();
        if (!WorkloadRef.KINDS.contains(kind)) {
            throw new InvalidHeadroomParamsException("pool " + pool + ": shapeFrom.kind '" + kind
                    + "' is not Deployment or StatefulSet");
        }
        String namespace = node.get("namespace").asText();
        String workload = node.get("name").asText();
        if (!DNS_NAME.matcher(namespace).matches() || !DNS_NAME.matcher(workload).matches()) {
            throw new InvalidHeadroomParamsException(usage + " (names are lower-case DNS names)");
        }
        return new WorkloadRef(kind, namespace, workload);
    }

    private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    /**
     * {@code requiredNodeAffinity}: a Kubernetes NodeSelector ({@code {"nodeSelectorTerms": [...]}}), as in a
     * pod's {@code requiredDuringSchedulingIgnoredDuringExecution}. A term the scheduler could not use
     * (unknown operator, {@code In} without values, a field other than {@code metadata.name}) is refused
     * here rather than silently matching no node.
     */
    private static List<NodeSelectorTerm> affinity(JsonNode node, String pool) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        String usage = "pool " + pool + ": requiredNodeAffinity must be {\"nodeSelectorTerms\": [{\"matchExpressions\": "
                + "[{\"key\": ..., \"operator\": \"In\", \"values\": [...]}]}]}";
        NodeSelector selector;
        try {
            selector = Json.MAPPER.treeToValue(node, NodeSelector.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new InvalidHeadroomParamsException(usage);
        }
        if (!node.isObject() || node.size() != 1 || selector.getNodeSelectorTerms() == null
                || selector.getNodeSelectorTerms().isEmpty() || !selector.getAdditionalProperties().isEmpty()) {
            throw new InvalidHeadroomParamsException(usage);
        }
        for (NodeSelectorTerm term : selector.getNodeSelectorTerms()) {
            if (term == null || NodeSelectorMatch.isEmpty(term) || !term.getAdditionalProperties().isEmpty()
                    || orEmpty(term.getMatchExpressions()).stream().anyMatch(r -> r == null || r.getKey() == null
                            || !NodeSelectorMatch.valid(r) || !r.getAdditionalProperties().isEmpty())
                    || orEmpty(term.getMatchFields()).stream().anyMatch(r -> r == null || !NodeSelectorMatch.fieldValid(r))) {
                throw new InvalidHeadroomParamsException(usage + "; operators In, NotIn (with values), Exists, DoesNotExist "
                        + "(without), Gt, Lt (one integer); matchFields only metadata.name In/NotIn one value");
            }
        }
        return List.copyOf(selector.getNodeSelectorTerms());
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static List<HeadroomWindow> schedules(JsonNode node, String pool) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new InvalidHeadroomParamsException("pool " + pool + ": schedules must be a list of windows");
        }
        List<HeadroomWindow> windows = new ArrayList<>();
        for (JsonNode w : node) {
            HeadroomWindow window = HeadroomWindow.parse(w, pool);
            if (windows.stream().anyMatch(o -> o.name().equals(window.name()))) {
                throw new InvalidHeadroomParamsException("pool " + pool + ": schedule name '" + window.name() + "' is used twice");
            }
            windows.add(window);
        }
        return List.copyOf(windows);
    }

    private static Map<String, String> labels(JsonNode node, String pool, String field) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new InvalidHeadroomParamsException("pool " + pool + ": " + field + " must be an object of label: value");
        }
        Map<String, String> labels = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new InvalidHeadroomParamsException("pool " + pool + ": " + field + "." + e.getKey() + " must be a string");
            }
            labels.put(e.getKey(), e.getValue().asText());
        }
        return labels;
    }

    private static Map<String, String> selector(String text, String pool) {
        try {
            return NodeCensus.parseSelector(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidHeadroomParamsException("pool " + pool + ": countNodes: " + e.getMessage());
        }
    }

    private static Map<String, Quantity> shape(JsonNode node, String pool) {
        Map<String, Quantity> shape = new TreeMap<>();
        if (node == null || node.isNull()) {
            shape.put("cpu", new Quantity("1"));
            shape.put("memory", new Quantity("1Gi"));
            return shape;
        }
        if (!node.isObject()) {
            throw new InvalidHeadroomParamsException("pool " + pool + ": shape must be an object of resource: quantity");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String resource = e.getKey();
            if (!Set.of("cpu", "memory", "ephemeral-storage").contains(resource) && !resource.contains("/")) {
                throw new InvalidHeadroomParamsException("pool " + pool + ": shape resource '" + resource
                        + "' is not cpu, memory, ephemeral-storage or an extended resource (domain/name)");
            }
            Quantity quantity;
            try {
                quantity = new Quantity(e.getValue().asText());
                if (quantity.getNumericalAmount().signum() <= 0) {
                    throw new IllegalArgumentException("not positive");
                }
            } catch (RuntimeException bad) {
                throw new InvalidHeadroomParamsException("pool " + pool + ": shape." + resource + " '"
                        + e.getValue().asText() + "' is not a positive quantity");
            }
            shape.put(resource, quantity);
        }
        if (!shape.containsKey("cpu")) {
            throw new InvalidHeadroomParamsException("pool " + pool + ": shape needs cpu (a pause pod without it holds no CPU)");
        }
        return shape;
    }
}
