package dev.headstart.imagecache;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What placement reads of a node: its name (for {@code matchFields} and {@code nodeName}), labels,
 * taints, {@code status.allocatable} (what the scheduler's resource fit compares requests with) and
 * {@code spec.unschedulable} (cordoned). Headstart's own membership labels
 * ({@link CacheMembership#LABEL_PREFIX}) are not facts about the node: they are the plan's output,
 * so they are left out (writing them must not look like a change that asks for a new plan).
 */
public record NodeFacts(String name, Map<String, String> labels, List<Taint> taints,
                        Map<String, BigDecimal> allocatable, boolean unschedulable) {

    public static final String OS_LABEL = "kubernetes.io/os";
    public static final String ARCH_LABEL = "kubernetes.io/arch";

    public NodeFacts {
        name = name == null ? "" : name;
        TreeMap<String, String> sorted = new TreeMap<>();
        if (labels != null) {
            labels.forEach((k, v) -> {
                if (k != null && !CacheMembership.isMembershipLabel(k)) {
                    sorted.put(k, v == null ? "" : v);
                }
            });
        }
        labels = Collections.unmodifiableMap(sorted);
        taints = taints == null ? List.of() : taints.stream().filter(Objects::nonNull).toList();
        TreeMap<String, BigDecimal> resources = new TreeMap<>();
        if (allocatable != null) {
            allocatable.forEach((k, v) -> {
                if (k != null && v != null) {
                    resources.put(k, v.stripTrailingZeros());
                }
            });
        }
        allocatable = Collections.unmodifiableMap(resources);
    }

    /** A schedulable node with no allocatable reported (tests and tools that know only labels and taints). */
    public NodeFacts(String name, Map<String, String> labels, List<Taint> taints) {
        this(name, labels, taints, null, false);
    }

    public static NodeFacts of(Node node) {
        String name = node.getMetadata() == null ? null : node.getMetadata().getName();
        Map<String, String> labels = node.getMetadata() == null ? null : node.getMetadata().getLabels();
        List<Taint> taints = node.getSpec() == null ? null : node.getSpec().getTaints();
        boolean unschedulable = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        Map<String, BigDecimal> allocatable = new TreeMap<>();
        Map<String, Quantity> reported = node.getStatus() == null ? null : node.getStatus().getAllocatable();
        if (reported != null) {
            reported.forEach((resource, quantity) -> {
                BigDecimal amount = PodRequests.amount(quantity);
                if (amount != null) {
                    allocatable.put(resource, amount);
                }
            });
        }
        return new NodeFacts(name, labels, taints, allocatable, unschedulable);
    }

    /** This node with another allocatable (tests, the CLI's examples). */
    public NodeFacts withAllocatable(Map<String, BigDecimal> resources) {
        return new NodeFacts(name, labels, taints, resources, unschedulable);
    }

    public NodeFacts cordoned() {
        return new NodeFacts(name, labels, taints, allocatable, true);
    }

    /** The {@code kubernetes.io/os} label, empty when the kubelet has not set it. */
    public String os() {
        return labels.getOrDefault(OS_LABEL, "");
    }

    public String arch() {
        return labels.getOrDefault(ARCH_LABEL, "");
    }
}
