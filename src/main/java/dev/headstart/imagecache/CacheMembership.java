package dev.headstart.imagecache;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which cache groups run on a node, said by labels the controller keeps on the node:
 * {@code cache.headstart.dev/<group id>: "true"} for every group the plan puts there. Each cache
 * DaemonSet selects its own label, so its template names no node: a node joining, leaving or
 * changing what it holds changes labels on that node only, never a template (no rollout, no new
 * ControllerRevision, no cache pod replaced elsewhere), and the template's size does not grow
 * with the cluster.
 */
public final class CacheMembership {

    public static final String LABEL_PREFIX = "cache.headstart.dev/";
    public static final String VALUE = "true";

    private CacheMembership() {
    }

    public static String label(String groupId) {
        return LABEL_PREFIX + groupId;
    }

    public static boolean isMembershipLabel(String key) {
        return key != null && key.startsWith(LABEL_PREFIX);
    }

    /** The group ids a node's labels say it holds. */
    public static Set<String> groupsOf(Map<String, String> labels) {
        Set<String> ids = new TreeSet<>();
        if (labels != null) {
            labels.forEach((k, v) -> {
                if (isMembershipLabel(k) && VALUE.equals(v)) {
                    ids.add(k.substring(LABEL_PREFIX.length()));
                }
            });
        }
        return ids;
    }

    /**
     * The label changes that take a node from its labels to holding exactly {@code wanted}: a value
     * to set, or null to remove (a JSON merge patch of {@code metadata.labels}); empty when none.
     */
    public static Map<String, String> changes(Map<String, String> labels, Set<String> wanted) {
        Map<String, String> changes = new LinkedHashMap<>();
        Map<String, String> current = labels == null ? Map.of() : labels;
        for (String id : new TreeSet<>(wanted)) {
            if (!VALUE.equals(current.get(label(id)))) {
                changes.put(label(id), VALUE);
            }
        }
        new TreeSet<>(current.keySet()).stream().filter(CacheMembership::isMembershipLabel)
                .filter(k -> !wanted.contains(k.substring(LABEL_PREFIX.length())))
                .forEach(k -> changes.put(k, null));
        return changes;
    }
}
