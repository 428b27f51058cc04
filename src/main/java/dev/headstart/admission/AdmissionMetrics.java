package dev.headstart.admission;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The webhook's Prometheus metrics. Label values that come from requests are folded into a fixed
 * set so a hostile client cannot grow the series count. Meters are cached: registry look-ups stay
 * off the hot path.
 */
@Singleton
public class AdmissionMetrics {

    private static final Set<String> KINDS = Set.of("Pod", "DaemonSet");
    private static final Set<String> OPERATIONS = Set.of("CREATE", "UPDATE", "DELETE", "CONNECT");

    private static final Duration[] BUCKETS = {Duration.ofNanos(50_000), Duration.ofNanos(100_000),
            Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000),
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(3)};

    private final MeterRegistry registry;
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Timer> durations = new ConcurrentHashMap<>();
    private final Map<String, Counter> applied = new ConcurrentHashMap<>();
    private final Map<String, Counter> ruleErrors = new ConcurrentHashMap<>();

    public AdmissionMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One answered review: {@code headstart_admission_requests_total} and its duration. */
    public void request(String webhook, String kind, String operation, String outcome, long nanos) {
        String k = KINDS.contains(kind) ? kind : "other";
        String op = OPERATIONS.contains(operation) ? operation : "other";
        requests.computeIfAbsent(webhook + '|' + k + '|' + op + '|' + outcome, key -> Counter
                        .builder("headstart.admission.requests")
                        .description("Admission reviews answered")
                        .tags("webhook", webhook, "kind", k, "operation", op, "outcome", outcome)
                        .register(registry))
                .increment();
        durations.computeIfAbsent(webhook, w -> Timer.builder("headstart.admission.duration")
                        .description("Time to answer an admission review")
                        .tags("webhook", w)
                        // Reviews take tens of microseconds to milliseconds; the API server gives up at 3 s.
                        .serviceLevelObjectives(BUCKETS)
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** {@code headstart_rule_applied_total{rule}}. */
    public void ruleApplied(String rule) {
        applied.computeIfAbsent(rule, r -> Counter.builder("headstart.rule.applied")
                .description("Objects a rule changed")
                .tag("rule", r)
                .register(registry)).increment();
    }

    /** {@code headstart_rule_errors_total{rule}}: a rule threw and was skipped (fail open). */
    public void ruleError(String rule) {
        ruleErrors.computeIfAbsent(rule, r -> Counter.builder("headstart.rule.errors")
                .description("Rule evaluations that threw and were skipped")
                .tag("rule", r)
                .register(registry)).increment();
    }
}
