package dev.headstart.controller.warmpool;

import dev.headstart.controller.warmpool.AutoScalingGateway.InstanceLifecycle;
import dev.headstart.controller.warmpool.AutoScalingGateway.LifecycleHook;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything the planner knows about one node: read from the Node object (taints, annotations,
 * registration time, readiness), the image-cache pods on it, and Auto Scaling. Nothing is kept in
 * memory between passes, so a restart or a new leader picks up where the last one stopped.
 *
 * @param uid           the Node's UID: a delete is conditional on it, so a re-registered Node is never removed
 * @param ready         the Node's {@code Ready} condition is {@code True}
 * @param cacheComplete every image-cache group planned for the node has its current pod there and
 *                      none of their images is still being pulled ({@code ImageCacheCompletion})
 * @param failedImages  images the kubelet could not pull on the node ({@code image (reason)}): they
 *                      do not hold the node back, and are named when the cache is marked complete
 * @param hooksCompleted the stage at which Headstart last completed the launching hooks, and when
 *                      (annotations {@code headstart.dev/warm-hooks-completed} and {@code -at})
 * @param instance empty when the node has no EC2 instance id or the instance is in no Auto Scaling group
 * @param hooks    the group's launching hooks Headstart drives (configured names the group has)
 * @param managedNodeGroup the node belongs to an EKS managed node group ({@link EksManagedNodeGroup}):
 *                         EKS owns its Auto Scaling group, and its instances join only after leaving the warm pool
 */
public record WarmNodeFacts(
        String nodeName,
        String uid,
        boolean ready,
        boolean warmupTainted,
        boolean shutdownTainted,
        boolean cacheComplete,
        List<String> failedImages,
        Instant registeredAt,
        Optional<Instant> cacheCompletedAt,
        Optional<Instant> lastHeartbeatAt,
        Optional<HooksCompleted> hooksCompleted,
        Optional<InstanceLifecycle> instance,
        List<LifecycleHook> hooks,
        Instant now,
        boolean managedNodeGroup) {

    public WarmNodeFacts {
        failedImages = List.copyOf(failedImages);
        hooks = List.copyOf(hooks);
    }

    /** Headstart completed the launching hooks of this stage at this time. */
    public record HooksCompleted(String stage, Instant at) {
    }
}
