package dev.headstart.controller.headroom;

import dev.headstart.imagecache.NodeFacts;
import dev.headstart.imagecache.NodeSelectorMatch;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

/**
 * Which nodes count as capacity, shared by the reconciler and {@code headstart headroom plan}: a
 * node counts when its Ready condition is True, it matches the label selector (the placeholders'
 * node selector unless {@code countNodes} says otherwise), the placeholders tolerate every
 * NoSchedule/NoExecute taint it has, it is not virtual (EKS Fargate, virtual-kubelet: one pod per
 * node or no node at all, so a placeholder there holds nothing for anyone), Karpenter is not
 * disrupting it ({@code karpenter.sh/disrupted}), and it does not carry the warm-up taint (a
 * warm-pool node is not capacity until it leaves the pool). Cordoned ({@code spec.unschedulable})
 * nodes are tallied apart, for CPA's {@code includeUnschedulableNodes}.
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

    /** Fargate nodes carry this label (value {@code fargate}) and a NoSchedule taint of this key. */
    static final String FARGATE_KEY = "eks.amazonaws.com/compute-type";
    /** virtual-kubelet providers label their node {@code type=virtual-kubelet} and taint it with this key. */
    static final String VIRTUAL_KUBELET_TAINT = "virtual-kubelet.io/provider";
    /** Karpenter taints a node it is about to disrupt (drift, consolidation, expiry) with this key. */
    static final String KARPENTER_DISRUPTED = "karpenter.sh/disrupted";

    private final Map<String, String> labels;
    private final List<Toleration> tolerations;
    private final TaintSpec warmupTaint;
    /** The placeholders' required node affinity (ORed terms); empty: none. */
    private final List<NodeSelectorTerm> affinity;

    /** Placeholders without tolerations: only untainted nodes (besides the warm-up taint) count. */
    public NodeCensus(Map<String, String> labels, TaintSpec warmupTaint) {
        this(labels, List.of(), warmupTaint);
    }

    /**
     * @param labels      the labels a node must carry to count
     * @param tolerations the placeholders' tolerations: a node tainted NoSchedule/NoExecute counts only when tolerated
     */
    public NodeCensus(Map<String, String> labels, List<Toleration> tolerations, TaintSpec warmupTaint) {
        this(labels, tolerations, warmupTaint, List.of());
    }

    /** @param affinity the placeholders' required node affinity: a node counts only when a term matches it */
    public NodeCensus(Map<String, String> labels, List<Toleration> tolerations, TaintSpec warmupTaint,
            List<NodeSelectorTerm> affinity) {
        this.labels = Map.copyOf(labels);
        this.tolerations = List.copyOf(tolerations);
        this.warmupTaint = warmupTaint;
        this.affinity = List.copyOf(affinity);
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
        return isReady(node) && hasLabels(node) && !isWarming(node) && !isVirtual(node) && !isDisrupted(node)
                && toleratesAll(node) && matchesAffinity(node);
    }

    /** The scheduler's required node affinity ({@link NodeSelectorMatch}: terms ORed, expressions ANDed). */
    private boolean matchesAffinity(Node node) {
        return affinity.isEmpty() || NodeSelectorMatch.matches(affinity, new NodeFacts(node.getMetadata().getName(),
                node.getMetadata().getLabels(), null));
    }

    /** EKS Fargate and virtual-kubelet nodes: never capacity a placeholder can hold. */
    static boolean isVirtual(Node node) {
        Map<String, String> own = node.getMetadata() == null ? null : node.getMetadata().getLabels();
        if (own != null && ("fargate".equals(own.get(FARGATE_KEY)) || "virtual-kubelet".equals(own.get("type")))) {
            return true;
        }
        return taints(node).stream().anyMatch(t -> FARGATE_KEY.equals(t.getKey())
                || VIRTUAL_KUBELET_TAINT.equals(t.getKey()));
    }

    static boolean isDisrupted(Node node) {
        return taints(node).stream().anyMatch(t -> KARPENTER_DISRUPTED.equals(t.getKey()));
    }

    /** As the scheduler's TaintToleration filter: every NoSchedule and NoExecute taint must be tolerated. */
    private boolean toleratesAll(Node node) {
        for (Taint taint : taints(node)) {
            if ("PreferNoSchedule".equals(taint.getEffect()) || warmupTaint.matches(taint)) {
                continue;
            }
            if (tolerations.stream().noneMatch(t -> tolerates(t, taint))) {
                return false;
            }
        }
        return true;
    }

    /** {@code Toleration.ToleratesTaint} of k8s.io/api/core/v1/toleration.go. */
    static boolean tolerates(Toleration toleration, Taint taint) {
        String effect = toleration.getEffect();
        if (effect != null && !effect.isEmpty() && !effect.equals(taint.getEffect())) {
            return false;
        }
        String key = toleration.getKey();
        if (key != null && !key.isEmpty() && !key.equals(taint.getKey())) {
            return false;
        }
        String operator = toleration.getOperator() == null || toleration.getOperator().isEmpty()
                ? "Equal" : toleration.getOperator();
        if ("Exists".equals(operator)) {
            return true;
        }
        String value = toleration.getValue() == null ? "" : toleration.getValue();
        return "Equal".equals(operator) && value.equals(taint.getValue() == null ? "" : taint.getValue());
    }

    private static List<Taint> taints(Node node) {
        List<Taint> taints = node.getSpec() == null ? null : node.getSpec().getTaints();
        return taints == null ? List.of() : taints;
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
        return taints(node).stream().anyMatch(warmupTaint::matches);
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
