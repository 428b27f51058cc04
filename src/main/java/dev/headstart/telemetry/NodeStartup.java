package dev.headstart.telemetry;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * How long one node took to start, from its {@code creationTimestamp} to each recorded end:
 * {@code Ready} (condition True, its {@code lastTransitionTime}) and, where Headstart's controller
 * recorded them on the node, the image cache's completion and the warm-up taint's removal. As for
 * pods, a phase without its end, or one that comes out negative (clock skew), is left out; and as
 * for pods ({@link PodStartup#HORIZON}), a Ready at or past the horizon after creation is the
 * node's latest Ready flap (a kubelet restart, a network blip), not its start: {@code ready} is
 * then left out ({@link #lateReady}). Every listed node is a node of the report, also one without a
 * creation time (then nothing of it can be measured: {@code createdAt} null, no ends).
 *
 * @param warmPool  whether the node joined from a warm pool ({@code headstart.dev/warm-pool: "true"})
 * @param createdAt its creation, or null when it records none
 * @param ends      when each measurable phase ended
 * @param lateReady Ready came at or past the horizon: left out
 */
public record NodeStartup(String name, String uid, boolean warmPool, Instant createdAt, Map<NodePhase, Instant> ends,
        boolean lateReady) {

    public static final String WARM_POOL_ANNOTATION = "headstart.dev/warm-pool";
    public static final String IMAGE_CACHE_ANNOTATION = "headstart.dev/image-cache-complete";
    public static final String WARM_UP_ANNOTATION = "headstart.dev/warm-up-complete";
    /** What the warm-pool reconciler already writes when a warming node's cache completes. */
    public static final String WARM_CACHE_COMPLETED_ANNOTATION = "headstart.dev/warm-cache-completed-at";

    /** {@link #of(Node, Duration)} with the default horizon. */
    public static Optional<NodeStartup> of(Node node) {
        return of(node, PodStartup.HORIZON);
    }

    /** The node's start; empty only for an object without metadata. */
    public static Optional<NodeStartup> of(Node node, Duration horizon) {
        if (node.getMetadata() == null) {
            return Optional.empty();
        }
        Map<String, String> annotations = node.getMetadata().getAnnotations() == null
                ? Map.of() : node.getMetadata().getAnnotations();
        boolean warm = "true".equals(annotations.get(WARM_POOL_ANNOTATION));
        Optional<Instant> created = Rfc3339.parse(node.getMetadata().getCreationTimestamp());
        if (created.isEmpty()) {
            return Optional.of(new NodeStartup(node.getMetadata().getName(), node.getMetadata().getUid(), warm, null,
                    Map.of(), false));
        }
        Map<NodePhase, Instant> ends = new EnumMap<>(NodePhase.class);
        readySince(node).ifPresent(t -> ends.put(NodePhase.READY, t));
        Rfc3339.parse(annotations.get(IMAGE_CACHE_ANNOTATION))
                .or(() -> Rfc3339.parse(annotations.get(WARM_CACHE_COMPLETED_ANNOTATION)))
                .ifPresent(t -> ends.put(NodePhase.IMAGE_CACHE, t));
        Rfc3339.parse(annotations.get(WARM_UP_ANNOTATION)).ifPresent(t -> ends.put(NodePhase.WARM_UP, t));
        ends.values().removeIf(end -> end.isBefore(created.get()));
        Instant ready = ends.get(NodePhase.READY);
        boolean late = ready != null && Duration.between(created.get(), ready).compareTo(horizon) >= 0;
        if (late) {
            ends.remove(NodePhase.READY);
        }
        return Optional.of(new NodeStartup(node.getMetadata().getName(), node.getMetadata().getUid(), warm,
                created.get(), Collections.unmodifiableMap(ends), late));
    }

    /** Seconds of each measurable phase. */
    public Map<NodePhase, Double> phases() {
        Map<NodePhase, Double> phases = new EnumMap<>(NodePhase.class);
        ends.forEach((phase, end) -> phases.put(phase, Duration.between(createdAt, end).toMillis() / 1000.0));
        return phases;
    }

    private static Optional<Instant> readySince(Node node) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        for (NodeCondition condition : node.getStatus().getConditions()) {
            if (condition != null && "Ready".equals(condition.getType())) {
                return "True".equals(condition.getStatus())
                        ? Rfc3339.parse(condition.getLastTransitionTime()) : Optional.empty();
            }
        }
        return Optional.empty();
    }
}
