package dev.headstart.controller.warmpool;

import java.util.Locale;

/** Where a tainted or stopped node is in the warm-pool life; the {@code state} label of the gauge. */
public enum WarmNodeState {
    /** Warmed:Pending:Wait — filling the image cache before the instance is stopped into the pool. */
    WARMING,
    /**
     * Another Warmed:* state (Warmed:Running, Warmed:Pending:Proceed, …), or Warmed:Pending:Wait of an
     * EKS managed node group's node returning to the pool.
     */
    WARM,
    /** Carries the cloud provider's shutdown taint. */
    STOPPED,
    /** Pending:Wait, Pending:Proceed or InService: on its way out of the pool into service. */
    LEAVING,
    /** InService (or Pending:Proceed) and untainted: nothing to do; not counted in the gauge. */
    SERVING,
    /** No instance id, in no Auto Scaling group, or a state Headstart does not act on. */
    UNKNOWN;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
