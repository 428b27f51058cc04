package dev.headstart.controller.headroom;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Scale-down stabilisation, as the HorizontalPodAutoscaler's {@code scaleDown.stabilizationWindowSeconds}:
 * the replicas applied are the highest plan seen within the window, so a node that flaps Ready /
 * NotReady (or a spot node replaced within minutes) never deletes placeholders only to recreate
 * them. Scale-up is immediate. Not thread-safe: the reconciler calls it under its lock.
 */
public final class ScaleDownStabilizer {

    private record Sample(Instant at, int replicas) {
    }

    private final Duration window;
    private final Deque<Sample> samples = new ArrayDeque<>();

    public ScaleDownStabilizer(Duration window) {
        if (window.isNegative()) {
            throw new IllegalArgumentException("stabilisation window must not be negative");
        }
        this.window = window;
    }

    /** The replicas to apply at {@code now} for a plan of {@code planned}. */
    public int apply(Instant now, int planned) {
        Instant from = now.minus(window);
        while (!samples.isEmpty() && samples.peekFirst().at().isBefore(from)) {
            samples.pollFirst();
        }
        // Only samples higher than the new one can ever matter again: keep the deque decreasing.
        while (!samples.isEmpty() && samples.peekLast().replicas() <= planned) {
            samples.pollLast();
        }
        samples.addLast(new Sample(now, planned));
        return samples.peekFirst().replicas();
    }

    /** When a held-back scale-down is due (the highest sample leaves the window), if one is held back. */
    public Optional<Instant> nextChange() {
        if (samples.size() < 2) {
            return Optional.empty();
        }
        return Optional.of(samples.peekFirst().at().plus(window));
    }

    public void reset() {
        samples.clear();
    }
}
