package dev.headstart.imagecache;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one pod of a template asks the scheduler for, as {@code PodRequests} computes it
 * ({@code staging/src/k8s.io/component-helpers/resource/helpers.go}): the containers' requests
 * summed, restartable init containers (sidecars) added to them, and the pod's request at least the
 * largest of what each init container needs while it runs (itself plus the sidecars started before
 * it); pod-level {@code resources.requests} replace cpu, memory and hugepages where set; the
 * RuntimeClass overhead is added last. A container limit without a request counts as the request:
 * the API server defaults it so when the pod is created ({@code pkg/apis/core/v1/defaults.go},
 * {@code SetDefaults_Pod}). Amounts are exact decimals ({@code Quantity.getNumericalAmount}).
 */
public final class PodRequests {

    private static final Set<String> POD_LEVEL = Set.of("cpu", "memory");

    private PodRequests() {
    }

    /** The per-pod requests of a spec with the given overhead (may be null), without zero entries, sorted. */
    public static SortedMap<String, BigDecimal> of(PodSpec spec, Map<String, Quantity> overhead) {
        TreeMap<String, BigDecimal> total = new TreeMap<>();
        for (Container container : list(spec.getContainers())) {
            add(total, requests(container));
        }
        TreeMap<String, BigDecimal> sidecars = new TreeMap<>();
        TreeMap<String, BigDecimal> initMax = new TreeMap<>();
        for (Container container : list(spec.getInitContainers())) {
            Map<String, BigDecimal> own = requests(container);
            Map<String, BigDecimal> whileRunning;
            if ("Always".equals(container.getRestartPolicy())) {
                add(total, own);
                add(sidecars, own);
                whileRunning = sidecars;
            } else {
                TreeMap<String, BigDecimal> combined = new TreeMap<>(own);
                add(combined, sidecars);
                whileRunning = combined;
            }
            max(initMax, whileRunning);
        }
        max(total, initMax);
        if (spec.getResources() != null && spec.getResources().getRequests() != null) {
            spec.getResources().getRequests().forEach((resource, quantity) -> {
                BigDecimal amount = amount(quantity);
                if (amount != null && (POD_LEVEL.contains(resource) || resource.startsWith("hugepages-"))) {
                    total.put(resource, amount);
                }
            });
        }
        if (overhead != null) {
            Map<String, BigDecimal> extra = new TreeMap<>();
            overhead.forEach((resource, quantity) -> {
                BigDecimal amount = amount(quantity);
                if (amount != null) {
                    extra.put(resource, amount);
                }
            });
            add(total, extra);
        }
        total.values().removeIf(v -> v.signum() <= 0);
        total.replaceAll((k, v) -> v.stripTrailingZeros());
        return Collections.unmodifiableSortedMap(total);
    }

    /**
     * The resources a pod of {@code requests} asks for beyond the node's allocatable, as
     * {@code fitsRequest} ({@code pkg/scheduler/framework/plugins/noderesources/fit.go}) decides for an
     * empty node: a resource the node does not report counts as zero there, so an extended resource
     * (a GPU) the node lacks is insufficient. Empty when it fits, or when the node reports no
     * allocatable at all (unknown: nothing is refused on a guess).
     */
    public static List<String> insufficient(SortedMap<String, BigDecimal> requests, NodeFacts node) {
        if (node.allocatable().isEmpty()) {
            return List.of();
        }
        return requests.entrySet().stream()
                .filter(e -> e.getValue().compareTo(node.allocatable().getOrDefault(e.getKey(), BigDecimal.ZERO)) > 0)
                .map(Map.Entry::getKey).toList();
    }

    /** The decimal amount of a quantity, or null when it does not parse. */
    static BigDecimal amount(Quantity quantity) {
        if (quantity == null) {
            return null;
        }
        try {
            return quantity.getNumericalAmount();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** A container's requests, with limits standing in where no request is given (API defaulting). */
    private static Map<String, BigDecimal> requests(Container container) {
        TreeMap<String, BigDecimal> result = new TreeMap<>();
        ResourceRequirements resources = container.getResources();
        if (resources == null) {
            return result;
        }
        if (resources.getLimits() != null) {
            resources.getLimits().forEach((resource, quantity) -> {
                BigDecimal amount = amount(quantity);
                if (amount != null) {
                    result.put(resource, amount);
                }
            });
        }
        if (resources.getRequests() != null) {
            resources.getRequests().forEach((resource, quantity) -> {
                BigDecimal amount = amount(quantity);
                if (amount != null) {
                    result.put(resource, amount);
                }
            });
        }
        return result;
    }

    private static void add(Map<String, BigDecimal> into, Map<String, BigDecimal> more) {
        more.forEach((k, v) -> into.merge(k, v, BigDecimal::add));
    }

    private static void max(Map<String, BigDecimal> into, Map<String, BigDecimal> other) {
        other.forEach((k, v) -> into.merge(k, v, BigDecimal::max));
    }

    private static <T> List<T> list(List<T> maybe) {
        return maybe == null ? List.of() : maybe;
    }
}
