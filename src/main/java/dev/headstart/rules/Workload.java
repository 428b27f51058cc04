package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A view of a Kubernetes object that carries a pod spec: a bare Pod, or a workload with a pod
 * template. It works on the JSON tree exactly as received, so fields Headstart does not know about
 * (future API fields, empty lists) survive a mutation untouched.
 */
public final class Workload {

    private final ObjectNode root;
    private final WorkloadKind kind;
    private final String namespace;

    private Workload(ObjectNode root, WorkloadKind kind, String namespace) {
        this.root = root;
        this.kind = kind;
        this.namespace = namespace;
    }

    /** The workload view of an object, or empty when its kind carries no pod spec. */
    public static Optional<Workload> of(JsonNode object) {
        return of(object, "");
    }

    /**
     * As {@link #of(JsonNode)}, with the namespace to assume when the object names none (an
     * AdmissionReview carries the namespace of a CREATE beside the object, not always in it).
     */
    public static Optional<Workload> of(JsonNode object, String namespaceHint) {
        if (!(object instanceof ObjectNode node)) {
            return Optional.empty();
        }
        String own = node.path("metadata").path("namespace").asText("");
        String namespace = own.isEmpty() && namespaceHint != null ? namespaceHint : own;
        return WorkloadKind.of(node.path("apiVersion").asText(""), node.path("kind").asText(""))
                .map(kind -> new Workload(node, kind, namespace));
    }

    /** The same view over another tree (a mutable copy of this one). */
    public Workload over(ObjectNode copy) {
        return new Workload(copy, kind, namespace);
    }

    public ObjectNode root() {
        return root;
    }

    public WorkloadKind kind() {
        return kind;
    }

    public boolean isPod() {
        return kind == WorkloadKind.POD;
    }

    public String name() {
        return root.path("metadata").path("name").asText(root.path("metadata").path("generateName").asText(""));
    }

    public String namespace() {
        return namespace;
    }

    /** The object's own metadata, created when absent. */
    public ObjectNode metadata() {
        return objectAt(root, "metadata");
    }

    /** Annotations of the object and, for workloads, of its pod template (template wins). */
    public String annotation(String key) {
        JsonNode own = root.path("metadata").path("annotations").path(key);
        JsonNode template = templateNode().path("metadata").path("annotations").path(key);
        if (template.isTextual()) {
            return template.asText();
        }
        return own.isTextual() ? own.asText() : null;
    }

    /** The pod spec, or null when the object has none (or one of the wrong shape). */
    public ObjectNode podSpec() {
        JsonNode spec = isPod() ? root.path("spec") : templateNode().path("spec");
        return spec instanceof ObjectNode o ? o : null;
    }

    /** The containers of the pod spec that are objects; odd entries are ignored, never fatal. */
    public List<ObjectNode> containers() {
        return objectsIn("containers");
    }

    public List<ObjectNode> initContainers() {
        return objectsIn("initContainers");
    }

    /** Containers followed by init containers: everything that pulls an image. */
    public List<ObjectNode> allContainers() {
        List<ObjectNode> all = new ArrayList<>(containers());
        all.addAll(initContainers());
        return all;
    }

    private List<ObjectNode> objectsIn(String field) {
        ObjectNode spec = podSpec();
        JsonNode list = spec == null ? null : spec.get(field);
        if (list == null || !list.isArray()) {
            return Collections.emptyList();
        }
        List<ObjectNode> result = new ArrayList<>(list.size());
        for (JsonNode item : list) {
            if (item instanceof ObjectNode o) {
                result.add(o);
            }
        }
        return result;
    }

    /**
     * The metadata that travels with the pod spec: the pod's own, or the pod template's (created
     * when absent); null when a workload has no template object.
     */
    public ObjectNode podMetadata() {
        if (isPod()) {
            return metadata();
        }
        return templateNode() instanceof ObjectNode template ? objectAt(template, "metadata") : null;
    }

    /** As {@link #podMetadata()}, read-only: a missing node when absent, nothing created. */
    JsonNode podMetadataView() {
        return (isPod() ? root : templateNode()).path("metadata");
    }

    /** The pod template object (null for a Pod, or when missing or of the wrong shape). */
    ObjectNode template() {
        return !isPod() && templateNode() instanceof ObjectNode t ? t : null;
    }

    /** Puts {@code template} in place of this workload's pod template. */
    void replaceTemplate(ObjectNode template) {
        JsonNode parent = root;
        List<String> path = kind.templatePath();
        for (String field : path.subList(0, path.size() - 1)) {
            parent = parent.path(field);
        }
        ((ObjectNode) parent).set(path.get(path.size() - 1), template);
    }

    private JsonNode templateNode() {
        JsonNode node = root;
        for (String field : kind.templatePath()) {
            node = node.path(field);
        }
        return node;
    }

    /** The child object at {@code field}, created (or replaced when not an object) as needed. */
    static ObjectNode objectAt(ObjectNode parent, String field) {
        JsonNode child = parent.get(field);
        if (child instanceof ObjectNode o) {
            return o;
        }
        return parent.putObject(field);
    }
}
