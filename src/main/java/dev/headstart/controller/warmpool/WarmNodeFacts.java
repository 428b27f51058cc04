package dev.headstart.controller.warmpool;

import dev.headstart.controller.warmpool.AutoScalingGateway.InstanceLifecycle;

import java.time.Instant;
import java.util.Optional;

/**
 * Everything the planner knows about one node: read from the Node object (taints, annotations,
 * registration time), the image-cache pods on it, and Auto Scaling. Nothing is kept in memory
 * between passes, so a restart or a new leader picks up where the last one stopped.
 *
 * @param instance empty when the node has no EC2 instance id or the instance is in no Auto Scaling group
 */
public record WarmNodeFacts(
        String nodeName,
        boolean warmupTainted,
        boolean shutdownTainted,
        boolean cacheComplete,
        Instant registeredAt,
        Optional<Instant> cacheCompletedAt,
        Optional<Instant> lastHeartbeatAt,
        Optional<InstanceLifecycle> instance,
        Instant now) {
}
