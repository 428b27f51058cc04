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

    /**
     * The group's {@code autoscaling:EC2_INSTANCE_LAUNCHING} hooks (DescribeLifecycleHooks). Auto Scaling
     * runs every one of them at each stage of a launch: {@code Warmed:Pending:Wait} when an instance
     * enters the warm pool, {@code Pending:Wait} when it enters service (also for a cold launch).
     */
    java.util.List<LifecycleHook> launchingHooks(String groupName);

    /**
     * The instances in the group's warm pool with their lifecycle states (DescribeWarmPool, every
     * page); empty when the group has no warm pool. An instance launched into the pool is here from
     * {@code Warmed:Pending:Wait} on, whether or not it ever registers a Node.
     */
    java.util.List<InstanceLifecycle> warmPoolInstances(String groupName);

    /** CompleteLifecycleAction with {@code CONTINUE}. */
    LifecycleCallResult completeLifecycleAction(String groupName, String hookName, String instanceId);

    /** RecordLifecycleActionHeartbeat: restarts the hook's heartbeat timeout. */
    LifecycleCallResult recordHeartbeat(String groupName, String hookName, String instanceId);

    /** An instance as Auto Scaling sees it. */
    record InstanceLifecycle(String instanceId, String groupName, String lifecycleState) {
    }

    /** A launching hook as Auto Scaling describes it. */
    record LifecycleHook(String name, java.time.Duration heartbeatTimeout, String defaultResult) {
    }

    /** A lifecycle call that did not fail. */
    enum LifecycleCallResult {
        /** Auto Scaling accepted the call. */
        DONE,
        /**
         * "No active Lifecycle Action found": the action is over, completed by someone else or an
         * earlier attempt, or timed out to the hook's default result.
         */
        NO_ACTIVE_ACTION
    }
}
