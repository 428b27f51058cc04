package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * A small model of how the two kinds of apply turn a manifest into the object sent to admission,
 * for the fields of a pod template Headstart touches. Tests run re-applies through it instead of
 * hand-picking what an UPDATE looks like.
 *
 * <p><b>Client-side apply</b> (kubectl, Helm 3, Argo CD's default sync): kubectl computes
 * {@code CreateThreeWayMergePatch(original, modified, current)} in
 * {@code staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch.go}: "the difference from
 * current to modified without deletions, plus deletions from original to modified". {@code original}
 * is the last-applied configuration, {@code modified} the manifest, {@code current} the stored
 * object. So: a field the manifest sets to another value than the stored one is replaced
 * ({@code replacePatchFieldIfNotEqual}); a field only the stored object has is kept, unless the
 * last-applied configuration had it and the manifest no longer does ({@code updatePatchIfMissing}).
 * Lists with {@code patchStrategy:"merge"} are matched by their merge key (containers, init
 * containers, env, volumes by {@code name}; ports by {@code containerPort}; volume mounts by
 * {@code mountPath}; {@code handleSliceDiff}/{@code diffLists}); every other list (command, args)
 * is replaced whole. Elements only the stored list holds stay where they were; new elements follow
 * the manifest element before them ({@code normalizeElementOrder}/{@code mergeSortedSlice} keep
 * server-only items and patch items each in their relative order; this model places them the same
 * way for the lists used here). kubectl then stores the manifest as the new last-applied annotation.
 *
 * <p><b>Server-side apply</b> (Flux, {@code kubectl apply --server-side}, Argo CD with
 * {@code ServerSideApply=true}): fields the applier's manager owns and no longer sets are removed,
 * the set ones are written. What a mutating webhook adds during the applier's request is recorded
 * as that manager's too, so at the next apply every Headstart field, the record included, counts
 * as "owned by the applier, no longer set" and is removed before admission runs. With no other
 * manager on the template, the template reaching admission is the manifest's template.
 */
final class ApplyModel {

    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    /** Merge keys of the lists the pod template has (patchMergeKey in k8s.io/api/core/v1/types.go). */
    private static final Map<String, String> MERGE_KEYS = Map.of(
            "containers", "name", "initContainers", "name", "ephemeralContainers", "name", "env", "name",
            "volumes", "name", "imagePullSecrets", "name", "ports", "containerPort", "volumeMounts", "mountPath");

    private ApplyModel() {
    }

    /** The object kubectl's client-side apply sends: current patched by the three-way patch, last-applied updated. */
    static ObjectNode clientSide(JsonNode original, ObjectNode modified, ObjectNode current) {
        ObjectNode manifest = withoutLastApplied(modified);
        ObjectNode result = (ObjectNode) merge(original == null ? null : withoutLastApplied(original), manifest, current, null);
        Workload.objectAt(Workload.objectAt(result, "metadata"), "annotations").put(LAST_APPLIED, manifest.toString());
        return result;
    }

    /** The last-applied configuration kubectl stored on the object, or null. */
    static JsonNode lastApplied(JsonNode object) {
        JsonNode text = object.path("metadata").path("annotations").get(LAST_APPLIED);
        try {
            return text == null ? null : dev.headstart.json.Json.MAPPER.readTree(text.asText());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The object server-side apply sends to admission: the manifest's fields, with everything the
     * applier owned and no longer sets removed. Everything in the stored spec was the applier's
     * (its manifest and, attributed to it, the webhook's additions), so the stored spec gives way
     * to the manifest's; metadata and status the server keeps.
     */
    static ObjectNode serverSide(ObjectNode manifest, ObjectNode current) {
        ObjectNode result = current.deepCopy();
        result.set("spec", manifest.get("spec").deepCopy());
        ObjectNode metadata = Workload.objectAt(result, "metadata");
        ObjectNode annotations = Workload.objectAt(metadata, "annotations");
        // Headstart's object-level note was also attributed to the applier: dropped, unless set again.
        annotations.remove(Annotations.APPLIED);
        manifest.path("metadata").path("annotations").fields()
                .forEachRemaining(e -> annotations.set(e.getKey(), e.getValue()));
        manifest.path("metadata").path("labels").fields()
                .forEachRemaining(e -> Workload.objectAt(metadata, "labels").set(e.getKey(), e.getValue()));
        return result;
    }

    private static ObjectNode withoutLastApplied(JsonNode object) {
        ObjectNode copy = (ObjectNode) object.deepCopy();
        if (copy.path("metadata").path("annotations") instanceof ObjectNode a) {
            a.remove(LAST_APPLIED);
        }
        return copy;
    }

    /** The merged value of one field: o (last applied, may be null), m (manifest), c (stored, may be null). */
    private static JsonNode merge(JsonNode o, JsonNode m, JsonNode c, String key) {
        if (m instanceof ObjectNode mo && c instanceof ObjectNode co) {
            ObjectNode result = co.deepCopy();
            mo.fields().forEachRemaining(e -> result.set(e.getKey(),
                    merge(o == null ? null : o.get(e.getKey()), e.getValue(), co.get(e.getKey()), e.getKey())));
            if (o instanceof ObjectNode oo) {
                oo.fieldNames().forEachRemaining(k -> {
                    if (!mo.has(k)) {
                        result.remove(k); // deleted from original to modified
                    }
                });
            }
            return result;
        }
        String mergeKey = key == null ? null : MERGE_KEYS.get(key);
        if (mergeKey != null && m instanceof ArrayNode ma && c instanceof ArrayNode ca && keyed(ma, mergeKey) && keyed(ca, mergeKey)) {
            ArrayNode result = ca.deepCopy();
            int insertAt = 0;
            for (JsonNode element : ma) {
                String id = element.get(mergeKey).asText();
                int at = find(result, mergeKey, id);
                JsonNode was = o instanceof ArrayNode oa ? at(oa, mergeKey, id) : null;
                if (at >= 0) {
                    result.set(at, merge(was, element, result.get(at), null));
                    insertAt = at + 1;
                } else {
                    result.insert(insertAt++, element.deepCopy());
                }
            }
            if (o instanceof ArrayNode oa) {
                for (JsonNode element : oa) {
                    String id = element.path(mergeKey).asText();
                    if (find(ma, mergeKey, id) < 0) {
                        int at = find(result, mergeKey, id);
                        if (at >= 0) {
                            result.remove(at);
                        }
                    }
                }
            }
            return result;
        }
        return m.deepCopy(); // a new field, a changed scalar, a replaced list
    }

    private static boolean keyed(ArrayNode list, String key) {
        for (JsonNode e : list) {
            if (!e.isObject() || !e.hasNonNull(key)) {
                return false;
            }
        }
        return true;
    }

    private static int find(ArrayNode list, String key, String id) {
        for (int i = 0; i < list.size(); i++) {
            if (id.equals(list.get(i).path(key).asText())) {
                return i;
            }
        }
        return -1;
    }

    private static JsonNode at(ArrayNode list, String key, String id) {
        int i = find(list, key, id);
        return i < 0 ? null : list.get(i);
    }

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }
}
