package dev.headstart.controller.cpuboost;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The controller's cpu-boost meters (pods boosted are the webhook's
 * {@code headstart_rule_applied_total{rule="cpu-boost"}}):
 * {@code headstart_cpu_boost_reverts_total{trigger="ready|max_duration"}},
 * {@code headstart_cpu_boost_revert_failures_total{reason="error|refused|gave_up|unreadable"}} and
 * {@code headstart_cpu_boost_duration_seconds} (from the pod's start to its limits given back), and
 * with {@code reboost-after-restart} {@code headstart_cpu_boost_reboosts_total} (limits raised again
 * after a container restart; their failures count in the revert failures).
 */
public final class CpuBoostMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> reverts = new ConcurrentHashMap<>();
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();
    private final Timer duration;

    public CpuBoostMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.duration = Timer.builder("headstart.cpu.boost.duration")
                .description("How long pods ran boosted: from the pod's start to its CPU limits given back")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofSeconds(1))
                .maximumExpectedValue(Duration.ofMinutes(30))
                .register(registry);
    }

    void reverted(String trigger, Duration boosted) {
        reverts.computeIfAbsent(trigger, t -> Counter.builder("headstart.cpu.boost.reverts")
                .description("Pods whose boosted CPU limits were given back, by what triggered it")
                .tag("trigger", t).register(registry)).increment();
        if (boosted != null && !boosted.isNegative()) {
            duration.record(boosted);
        }
    }

    void reboosted() {
        Counter.builder("headstart.cpu.boost.reboosts")
                .description("Pods whose CPU limits were raised again after a boosted container restarted")
                .register(registry).increment();
    }

    void failed(String reason) {
        failures.computeIfAbsent(reason, r -> Counter.builder("headstart.cpu.boost.revert.failures")
                .description("Reverts that failed: error (retried), refused, gave_up, unreadable (the record)")
                .tag("reason", r).register(registry)).increment();
    }
}
