package dev.headstart.controller.warmpool;

import dev.headstart.controller.CallSpacing;

import java.util.Collection;
import java.util.Map;

/**
 * Spaces the Auto Scaling calls of the warm pool: at most {@code callsPerSecond}, each batch of
 * {@link SdkAutoScalingGateway#DESCRIBE_BATCH} ids of a describe counting as one call. The account's
 * Auto Scaling API rate is shared with the cluster autoscaler and everyone else, so a burst of
 * warm nodes becomes a steady trickle instead of throttling errors. Callers wait (on the
 * warm-pool thread, never on an informer's).
 */
final class RateLimitedAutoScalingGateway implements AutoScalingGateway {

    private final AutoScalingGateway delegate;
    private final CallSpacing spacing;

    RateLimitedAutoScalingGateway(AutoScalingGateway delegate, CallSpacing spacing) {
        this.delegate = delegate;
        this.spacing = spacing;
    }

    @Override
    public Map<String, InstanceLifecycle> describe(Collection<String> instanceIds) {
        int batches = Math.max(1, (instanceIds.size() + SdkAutoScalingGateway.DESCRIBE_BATCH - 1)
                / SdkAutoScalingGateway.DESCRIBE_BATCH);
        spacing.acquire(batches);
        return delegate.describe(instanceIds);
    }

    @Override
    public java.util.List<LifecycleHook> launchingHooks(String groupName) {
        spacing.acquire(1);
        return delegate.launchingHooks(groupName);
    }

    /** One call per look: a page holds 100 instances, more than a warm pool usually has. */
    @Override
    public java.util.List<InstanceLifecycle> warmPoolInstances(String groupName) {
        spacing.acquire(1);
        return delegate.warmPoolInstances(groupName);
    }

    @Override
    public LifecycleCallResult completeLifecycleAction(String groupName, String hookName, String instanceId) {
        spacing.acquire(1);
        return delegate.completeLifecycleAction(groupName, hookName, instanceId);
    }

    @Override
    public LifecycleCallResult recordHeartbeat(String groupName, String hookName, String instanceId) {
        spacing.acquire(1);
        return delegate.recordHeartbeat(groupName, hookName, instanceId);
    }
}
