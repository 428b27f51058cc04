package dev.headstart.controller.warmpool;

import dev.headstart.controller.warmpool.AutoScalingGateway.InstanceLifecycle;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything the planner knows about one node: read from the Node object (taints, annotations,
 * registration time), the image-cache pods on it, and Auto Scaling. Nothing is kept in memory
 * between passes, so a restart or a new leader picks up where the last one stopped.
 *
 * @param cacheComplete every image-cache group planned for the node has its current pod there and
 *                      none of their images is still being pulled ({@code ImageCacheCompletion})
 * @param failedImages  images the kubelet could not pull on the node ({@code image (reason)}): they
 *                      do not hold the node back, and are named when the cache is marked complete
 * @param instance empty when the node has no EC2 instance id or the instance is in no Auto Scaling group
 * @param managedNodeGroup the node belongs to an EKS managed node group ({@link EksManagedNodeGroup}):
 *                         EKS owns its Auto Scaling group, and its instances join only after leaving the warm pool
 */
public record WarmNodeFacts(
        String nodeName,
        boolean warmupTainted,
        boolean shutdownTainted,
        boolean cacheComplete,
        List<String> failedImages,
        Instant registeredAt,
        Optional<Instant> cacheCompletedAt,
        Optional<Instant> lastHeartbeatAt,
        Optional<InstanceLifecycle> instance,
        Instant now,
        boolean managedNodeGroup) {

    public WarmNodeFacts {
        failedImages = List.copyOf(failedImages);
    }
}
