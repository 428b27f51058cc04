package dev.headstart.imagecache;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;

import java.util.List;
import java.util.Map;

/**
 * One cache DaemonSet's worth: the images of one placement with one pull access. A shared group
 * lives in Headstart's namespace and pulls without secrets; a namespace group lives in its
 * workloads' namespace and pulls with their secrets (referenced by name, never copied).
 *
 * <p>The id is a short hash of the placement and where the group lives (shared, or the namespace),
 * so it stays when images, workloads or excluded nodes change and changes when the constraints do.
 */
public record CacheGroup(String id, String namespace, boolean shared, Placement placement, List<String> pullSecrets,
                         List<String> images, List<String> workloads, List<String> excludedNodes) {

    /** DaemonSet name prefix; the DaemonSet is {@code headstart-image-cache-<id>}. */
    public static final String NAME_PREFIX = "headstart-image-cache-";

    public CacheGroup {
        pullSecrets = sortedCopy(pullSecrets);
        images = sortedCopy(images);
        workloads = sortedCopy(workloads);
        excludedNodes = sortedCopy(excludedNodes);
    }

    /** The id of the group of this placement: shared, or in this namespace. */
    public static String idOf(Placement placement, boolean shared, String namespace) {
        return ContentHash.of(placement.canonicalText() + "\n" + (shared ? "shared" : "namespace " + namespace));
    }

    public String daemonSetName() {
        return NAME_PREFIX + id;
    }

    /** The cache pod's nodeSelector: the workloads' and {@code kubernetes.io/os=linux}. */
    public Map<String, String> nodeSelector() {
        return placement.podNodeSelector();
    }

    /** The cache pod's required node affinity: the workloads', the image architecture, off the over-cap nodes; or null. */
    public Affinity affinity() {
        return placement.podAffinity(excludedNodes);
    }

    /** The cache pod's tolerations: the workloads' NoSchedule/NoExecute tolerations and the cache's own. */
    public List<Toleration> tolerations() {
        return placement.podTolerations();
    }

    CacheGroup withExcludedNodes(List<String> nodes) {
        return new CacheGroup(id, namespace, shared, placement, pullSecrets, images, workloads, nodes);
    }

    private static List<String> sortedCopy(List<String> values) {
        return values == null ? List.of() : values.stream().distinct().sorted().toList();
    }
}
