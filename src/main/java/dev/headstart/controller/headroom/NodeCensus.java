package dev.headstart.controller.headroom;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

/**
 * Which nodes count as capacity, shared by the reconciler and {@code headstart headroom plan}: a
 * node counts when its Ready condition is True, it matches the label selector, and it does not
 * carry the warm-up taint (a warm-pool node is not capacity until it leaves the pool). Cordoned
 * ({@code spec.unschedulable}) nodes are tallied apart, for CPA's {@code includeUnschedulableNodes}.
 */
public final class NodeCensus {

    /** The tally: schedulable nodes, and cordoned nodes that would otherwise count. */
    public record Tally(ClusterSize schedulable, ClusterSize cordoned) {

        public static final Tally EMPTY = new Tally(new ClusterSize(0, 0), new ClusterSize(0, 0));

        /** The size a plan sees: with or without the cordoned nodes. */
        public ClusterSize size(boolean includeUnschedulableNodes) {
            return includeUnschedulableNodes ? schedulable.plus(cordoned) : schedulable;
        }
    }

    private final Map<String, String> labels;
    private final TaintSpec warmupTaint;

    public NodeCensus(Map<String, String> labels, TaintSpec warmupTaint) {
        this.labels = Map.copyOf(labels);
        this.warmupTaint = warmupTaint;
    }

    /** Parses {@code a=b,c=d} (equality only: the selector headroom nodes are chosen by). */
    public static Map<String, String> parseSelector(String selector) {
        if (selector == null || selector.isBlank()) {
            return Map.of();
        }
        java.util.LinkedHashMap<String, String> result = new java.util.LinkedHashMap<>();
        for (String term : selector.split(",")) {
            String[] kv = term.trim().split("==?", 2);
            if (kv.length != 2 || kv[0].isBlank()) {
                throw new IllegalArgumentException("node label selector term '" + term.trim() + "' is not key=value");
            }
            result.put(kv[0].trim(), kv[1].trim());
        }
        return result;
    }

    /** One node's part in a tally: all the census reads of it. */
    public record Share(boolean counts, boolean cordoned, long milliCpu) {
    }

    public Tally count(Iterable<Node> nodes) {
        List<Share> shares = new java.util.ArrayList<>();
        nodes.forEach(node -> shares.add(share(node)));
        return sum(shares);
    }

    public Share share(Node node) {
        return new Share(counts(node), isCordoned(node), allocatableMilliCpu(node));
    }

    /** The tally of nodes given by their shares (kept per node from watch events by the reconciler). */
    public static Tally sum(Iterable<Share> shares) {
        int schedulable = 0;
        long schedulableMilli = 0;
        int cordoned = 0;
        long cordonedMilli = 0;
        for (Share share : shares) {
            if (!share.counts()) {
                continue;
            }
            if (share.cordoned()) {
                cordoned++;
                cordonedMilli += share.milliCpu();
            } else {
                schedulable++;
                schedulableMilli += share.milliCpu();
            }
        }
        return new Tally(new ClusterSize(schedulable, schedulableMilli), new ClusterSize(cordoned, cordonedMilli));
    }

    /** Whether the node is capacity at all (cordoning aside). */
    public boolean counts(Node node) {
        return isReady(node) && hasLabels(node) && !isWarming(node);
    }

    static boolean isCordoned(Node node) {
        return node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
    }

    static boolean isReady(Node node) {
        List<NodeCondition> conditions = node.getStatus() == null ? null : node.getStatus().getConditions();
        if (conditions == null) {
            return false;
        }
        return conditions.stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private boolean hasLabels(Node node) {
        if (labels.isEmpty()) {
            return true;
        }
        Map<String, String> own = node.getMetadata() == null ? null : node.getMetadata().getLabels();
        return own != null && own.entrySet().containsAll(labels.entrySet());
    }

    private boolean isWarming(Node node) {
        List<Taint> taints = node.getSpec() == null ? null : node.getSpec().getTaints();
        return taints != null && taints.stream().anyMatch(warmupTaint::matches);
    }

    /** {@code status.allocatable.cpu} in millicores (0 when absent or unreadable). */
    static long allocatableMilliCpu(Node node) {
        Map<String, Quantity> allocatable = node.getStatus() == null ? null : node.getStatus().getAllocatable();
        Quantity cpu = allocatable == null ? null : allocatable.get("cpu");
        if (cpu == null) {
            return 0;
        }
        try {
            BigDecimal cores = cpu.getNumericalAmount();
            return cores.multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.CEILING).longValueExact();
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
