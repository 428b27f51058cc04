package dev.headstart.controller.warmpool;

import java.time.Instant;

/** One step the reconciler executes for a node, in the order planned; it stops at the first failure. */
public sealed interface WarmPoolAction {

    /** Why a lifecycle action is completed. */
    enum Why {
        CACHE_COMPLETE, BUDGET_EXCEEDED, LEAVING_POOL
    }

    /** CompleteLifecycleAction CONTINUE. */
    record CompleteLifecycleAction(String groupName, String hookName, String instanceId, Why why)
            implements WarmPoolAction {
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

    /** Delete the Node object of a stopped warm instance; kubelet registers it afresh when it starts. */
    record DeleteNode(String lifecycleState) implements WarmPoolAction {
    }
}
