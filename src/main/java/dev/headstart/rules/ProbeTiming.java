package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The timing of one probe with the API server's defaults filled in, and what it means for when the
 * kubelet kills a container. The CLI sees manifests as written, the webhook sees defaulted objects:
 * both must reach the same answer, so absent (or zero) fields count as their defaults.
 *
 * <p>Defaults from {@code pkg/apis/core/v1/defaults.go} ({@code SetDefaults_Probe}): period 10,
 * timeout 1, successThreshold 1, failureThreshold 3, each applied when the field is 0 or absent;
 * initialDelaySeconds has no default (0).
 */
public record ProbeTiming(long initialDelaySeconds, long periodSeconds, long timeoutSeconds, long failureThreshold) {

    public static final int DEFAULT_PERIOD = 10;
    public static final int DEFAULT_TIMEOUT = 1;
    public static final int DEFAULT_FAILURE_THRESHOLD = 3;

    /** The timing of {@code probe} as the kubelet will run it. */
    public static ProbeTiming of(JsonNode probe) {
        return new ProbeTiming(
                field(probe, "initialDelaySeconds", 0),
                field(probe, "periodSeconds", DEFAULT_PERIOD),
                field(probe, "timeoutSeconds", DEFAULT_TIMEOUT),
                field(probe, "failureThreshold", DEFAULT_FAILURE_THRESHOLD));
    }

    /**
     * The latest moment, in seconds after the container started, at which this probe (run as a
     * liveness probe) can have killed a container whose handler never succeeded. Nothing the probe
     * allowed to live took longer than this to start.
     *
     * <p>From {@code pkg/kubelet/prober/worker.go}: probes run on a ticker of {@code periodSeconds}
     * that starts when the pod is added, not when the container starts, and are skipped while the
     * container is younger than {@code initialDelaySeconds}, so the first one runs before
     * {@code initialDelay + period}. A probe runs synchronously for up to {@code timeoutSeconds}
     * and the ticker drops ticks meanwhile, so probes start at most {@code max(period, timeout)}
     * apart. The kill follows the {@code failureThreshold}-th consecutive failure:
     * {@code initialDelay + period + (failureThreshold - 1) * max(period, timeout) + timeout}.
     */
    public long livenessAllowanceSeconds() {
        return initialDelaySeconds + periodSeconds + (failureThreshold - 1) * Math.max(periodSeconds, timeoutSeconds)
                + timeoutSeconds;
    }

    /**
     * The {@code failureThreshold} a startup probe polled every {@code periodSeconds} needs so that
     * it cannot kill before {@code budgetSeconds}: its first probe may run the instant the container
     * starts and the n-th no sooner than {@code (n - 1) * period} later (worker.go: one probe per
     * tick), so {@code ceil(budget / period) + 1}, capped at the largest int32 the API accepts.
     */
    public static int startupFailureThreshold(long budgetSeconds, int periodSeconds) {
        long threshold = (budgetSeconds + periodSeconds - 1) / periodSeconds + 1;
        return (int) Math.min(Integer.MAX_VALUE, threshold);
    }

    /** A positive integer field, else its default (the API server defaults 0 as absent). */
    private static long field(JsonNode probe, String name, long defaultValue) {
        JsonNode value = probe.path(name);
        if (!value.isNumber() && !value.isTextual()) {
            return defaultValue;
        }
        long v = value.asLong(0);
        return v > 0 ? v : defaultValue;
    }
}
