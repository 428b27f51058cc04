package dev.headstart.rules;

import java.util.List;
import java.util.Optional;

/**
 * What the cpu-boost rule reads from the cluster: the namespace's opt-in label, its LimitRanges and
 * ResourceQuotas (the admission plugins that run after the webhook), and whether the API server
 * serves {@code pods/resize} (without it nothing could give the limits back). The webhook answers
 * from informer caches; offline there is nothing to read and {@link #NONE} lets the rule boost as
 * configured.
 */
public interface CpuBoostFacts {

    /** No cluster: nothing to read, nothing known to stand in the way. */
    CpuBoostFacts NONE = new CpuBoostFacts() {
    };

    /** False while a cluster's caches have not synced: the rule then does not boost. */
    default boolean ready() {
        return true;
    }

    /** Why the revert cannot be performed (pods/resize not served), or empty when it can. */
    default Optional<String> resizeUnavailable() {
        return Optional.empty();
    }

    /** A label of the namespace, or empty when the namespace or the label is unknown. */
    default Optional<String> namespaceLabel(String namespace, String key) {
        return Optional.empty();
    }

    default List<CpuLimitRange> limitRanges(String namespace) {
        return List.of();
    }

    /** The namespace's quotas that track {@code limits.cpu}. */
    default List<CpuQuota> quotas(String namespace) {
        return List.of();
    }
}
