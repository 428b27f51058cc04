package dev.headstart.controller.warmpool;

import java.util.Collection;
import java.util.Map;

/**
 * Every Auto Scaling call Headstart makes. One small seam, implemented with the AWS SDK
 * ({@link SdkAutoScalingGateway}) and tested against a local stub of the query API.
 * Failures are thrown as {@link AutoScalingCallException}.
 */
public interface AutoScalingGateway {

    /**
     * Group and lifecycle state of each instance, by instance id; instances in no Auto Scaling
     * group are absent. Batched (DescribeAutoScalingInstances takes up to 50 ids per call).
     */
    Map<String, InstanceLifecycle> describe(Collection<String> instanceIds);

    /** CompleteLifecycleAction with {@code CONTINUE}. */
    LifecycleCallResult completeLifecycleAction(String groupName, String hookName, String instanceId);

    /** RecordLifecycleActionHeartbeat: restarts the hook's heartbeat timeout. */
    LifecycleCallResult recordHeartbeat(String groupName, String hookName, String instanceId);

    /** An instance as Auto Scaling sees it. */
    record InstanceLifecycle(String instanceId, String groupName, String lifecycleState) {
    }

    /** A lifecycle call that did not fail. */
    enum LifecycleCallResult {
        /** Auto Scaling accepted the call. */
        DONE,
        /** "No active Lifecycle Action found": someone (or an earlier attempt) already completed it. */
        NO_ACTIVE_ACTION
    }
}
