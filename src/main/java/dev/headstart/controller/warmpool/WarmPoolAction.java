package dev.headstart.controller.warmpool;

import dev.headstart.controller.warmpool.AutoScalingGateway.LifecycleHook;

import java.time.Instant;

/** One step the reconciler executes for a node, in the order planned; it stops at the first failure. */
public sealed interface WarmPoolAction {

    /** Why a lifecycle action is completed. */
    enum Why {
        /** Warmed:Pending:Wait, the image cache is complete. */
        CACHE_COMPLETE,
        /** Warmed:Pending:Wait, the cache budget is spent. */
        BUDGET_EXCEEDED,
        /** Pending:Wait, the node is Ready: the instance may enter service. */
        ENTERING_SERVICE
    }

    /** CompleteLifecycleAction CONTINUE for one launching hook. */
    record CompleteLifecycleAction(String groupName, LifecycleHook hook, String instanceId, Why why)
            implements WarmPoolAction {
    }

    /** Record that the hooks of this stage are done, so no later pass of the same transition repeats them. */
    record MarkHooksCompleted(String stage, Instant at) implements WarmPoolAction {
    }

    /** RecordLifecycleActionHeartbeat. */
    record RecordHeartbeat(String groupName, String hookName, String instanceId) implements WarmPoolAction {
    }

    /** Annotate the node with when its image cache was first seen complete. */
    record MarkCacheComplete(Instant at) implements WarmPoolAction {
    }

    /** Annotate the node with when the last heartbeat was sent. */
    record MarkHeartbeat(Instant at) implements WarmPoolAction {
    }

    /** Remove the warm-up taint: the node takes pods. */
    record RemoveWarmupTaint() implements WarmPoolAction {
    }

    /** Add the warm-up taint: the node's instance is (back) in the warm pool, no pod may land there. */
    record AddWarmupTaint(String lifecycleState) implements WarmPoolAction {
    }

    /**
     * Delete the Node object of a warm instance stopped into the pool, only if it still has this UID;
     * a fresh kubelet registers it anew when the instance starts.
     */
    record DeleteNode(String lifecycleState, String uid) implements WarmPoolAction {
    }
}
