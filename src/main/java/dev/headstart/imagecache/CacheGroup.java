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
 * {@code excludedNodes} are the nodes it could run on but does not (held by others, or over the
 * cap): for reports only, the DaemonSet selects by membership label.
 */
public record CacheGroup(String id, String namespace, boolean shared, Placement placement, List<String> pullSecrets,
                         List<String> images, List<String> workloads, List<String> excludedNodes, Demand demand) {

    /**
     * The pods the group's workloads are likely to start ({@link WorkloadDemand}): running replicas
     * summed, then how many are at zero with an autoscaler, then how many are idle. Suspended
     * workloads add nothing, so a group of only those ranks last.
     */
    public record Demand(long runningReplicas, int scalesFromZero, int idle) {
        public static final Demand NONE = new Demand(0, 0, 0);

        public Demand plus(WorkloadDemand workload) {
            return switch (workload.tier()) {
                case RUNNING -> new Demand(runningReplicas + workload.replicas(), scalesFromZero, idle);
                case SCALES_FROM_ZERO -> new Demand(runningReplicas, scalesFromZero + 1, idle);
                case IDLE -> new Demand(runningReplicas, scalesFromZero, idle + 1);
                case SUSPENDED -> this;
            };
        }

        public String describe() {
            return runningReplicas + " running pods, " + scalesFromZero + " autoscaled from zero, " + idle + " idle";
        }
    }

    /** DaemonSet name prefix; the DaemonSet is {@code headstart-image-cache-<id>}. */
    public static final String NAME_PREFIX = "headstart-image-cache-";

    public CacheGroup {
        pullSecrets = sortedCopy(pullSecrets);
        images = sortedCopy(images);
        workloads = sortedCopy(workloads);
        excludedNodes = sortedCopy(excludedNodes);
        demand = demand == null ? Demand.NONE : demand;
    }

    /** The id of the group of this placement: shared, or in this namespace. */
    public static String idOf(Placement placement, boolean shared, String namespace) {
        return ContentHash.of(placement.canonicalText() + "\n" + (shared ? "shared" : "namespace " + namespace));
    }

    public String daemonSetName() {
        return NAME_PREFIX + id;
    }

    /**
     * The cache pod's nodeSelector: the workloads', {@code kubernetes.io/os=linux}, and the group's
     * membership label ({@link CacheMembership}), which the controller sets exactly on the nodes the
     * plan gives the group; no node is named, so the template does not change as nodes come and go.
     */
    public Map<String, String> nodeSelector() {
        Map<String, String> selector = new java.util.TreeMap<>(placement.podNodeSelector());
        selector.put(CacheMembership.label(id), CacheMembership.VALUE);
        return java.util.Collections.unmodifiableMap(selector);
    }

    /** The cache pod's required node affinity: the workloads' and the image architecture; or null. */
    public Affinity affinity() {
        return placement.podAffinity(List.of());
    }

    /** The cache pod's tolerations: the workloads' NoSchedule/NoExecute tolerations and the cache's own. */
    public List<Toleration> tolerations() {
        return placement.podTolerations();
    }

    CacheGroup withExcludedNodes(List<String> nodes) {
        return new CacheGroup(id, namespace, shared, placement, pullSecrets, images, workloads, nodes, demand);
    }

    private static List<String> sortedCopy(List<String> values) {
        return values == null ? List.of() : values.stream().distinct().sorted().toList();
    }
}
