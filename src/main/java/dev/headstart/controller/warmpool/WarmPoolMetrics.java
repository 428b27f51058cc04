package dev.headstart.controller.warmpool;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The warm pool's metrics: {@code headstart_warm_nodes{state}},
 * {@code headstart_lifecycle_actions_total{action,result}}, and how long after registration a
 * warm node's cache was complete ({@code headstart_warm_node_cache_complete_seconds}) and its
 * taint removed ({@code headstart_warm_node_taint_removed_seconds}).
 */
public final class WarmPoolMetrics {

    private final MeterRegistry registry;
    private final Map<WarmNodeState, AtomicInteger> nodes = new EnumMap<>(WarmNodeState.class);
    private final Timer cacheComplete;
    private final Timer taintRemoved;
    private final Counter budgetExceeded;

    public WarmPoolMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (WarmNodeState state : WarmNodeState.values()) {
            nodes.put(state, registry.gauge("headstart.warm.nodes", Tags.of("state", state.label()), new AtomicInteger()));
        }
        cacheComplete = Timer.builder("headstart.warm.node.cache.complete")
                .description("Time from node registration to a complete image cache")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofSeconds(5))
                .maximumExpectedValue(Duration.ofMinutes(30))
                .register(registry);
        taintRemoved = Timer.builder("headstart.warm.node.taint.removed")
                .description("Time from node registration to removal of the warm-up taint")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofSeconds(1))
                .maximumExpectedValue(Duration.ofMinutes(30))
                .register(registry);
        budgetExceeded = Counter.builder("headstart.warm.cache.budget.exceeded")
                .description("Warm-ups whose lifecycle hooks were completed before the image cache was complete")
                .register(registry);
    }

    public void nodes(Map<WarmNodeState, Integer> counts) {
        nodes.forEach((state, gauge) -> gauge.set(counts.getOrDefault(state, 0)));
    }

    /** action: complete | heartbeat | describe | describe_hooks | describe_warm_pool | complete_nodeless; result: ok | no_active | throttled | access_denied | failed. */
    public void lifecycleAction(String action, String result) {
        registry.counter("headstart.lifecycle.actions", "action", action, "result", result).increment();
    }

    public void cacheComplete(Duration sinceRegistration) {
        cacheComplete.record(nonNegative(sinceRegistration));
    }

    public void taintRemoved(Duration sinceRegistration) {
        taintRemoved.record(nonNegative(sinceRegistration));
    }

    public void budgetExceeded() {
        budgetExceeded.increment();
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
