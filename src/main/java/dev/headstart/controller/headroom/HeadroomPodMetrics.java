package dev.headstart.controller.headroom;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the placeholders themselves say about the headroom, read from the informer on the pause
 * pods: {@code headstart_headroom_pending{pool}} (pause pods the scheduler found no node for:
 * capacity is being added) and {@code headstart_headroom_preempted_total{pool}} (pause pods deleted
 * by scheduler preemption: the headroom was used by a real pod).
 *
 * <p>Preempted means: deleted while carrying {@code DisruptionTarget=True} with reason
 * {@code PreemptionByScheduler}. The scheduler patches that condition onto each victim just before
 * deleting it (kubernetes {@code pkg/scheduler/framework/preemption/preemption.go}, {@code prepareCandidate};
 * {@code PodReasonPreemptionByScheduler} in {@code pkg/apis/core/types.go}), so the final state the
 * watch delivers with the delete carries it. A Deployment scale-down or rollout deletes without it.
 */
final class HeadroomPodMetrics implements ResourceEventHandler<Pod> {

    static final String DISRUPTION_TARGET = "DisruptionTarget";
    static final String PREEMPTION_BY_SCHEDULER = "PreemptionByScheduler";

    private final MeterRegistry registry;
    /** Pending pause pods: {@code namespace/name} to pool. */
    private final Map<String, String> pending = new ConcurrentHashMap<>();
    private final Set<String> pools = ConcurrentHashMap.newKeySet();

    HeadroomPodMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Exports both meters for these pools (at zero until a pod says otherwise). */
    void pools(Collection<String> names) {
        names.forEach(this::meters);
    }

    /** A standby replica reports no pending pods (only the leader's figure counts). */
    void reset() {
        pending.clear();
    }

    /** Pause pods now pending, by pool (for logs and tests). */
    int pending(String pool) {
        return (int) pending.values().stream().filter(pool::equals).count();
    }

    @Override
    public void onAdd(Pod pod) {
        observe(pod);
    }

    @Override
    public void onUpdate(Pod before, Pod after) {
        observe(after);
    }

    @Override
    public void onDelete(Pod pod, boolean finalStateUnknown) {
        pending.remove(key(pod));
        String pool = poolOf(pod);
        if (pool != null && preempted(pod)) {
            meters(pool);
            preemptedCounter(pool).increment();
        }
    }

    private void observe(Pod pod) {
        String pool = poolOf(pod);
        if (pool == null) {
            return;
        }
        meters(pool);
        if (unschedulable(pod)) {
            pending.put(key(pod), pool);
        } else {
            pending.remove(key(pod));
        }
    }

    /** Pending and marked unschedulable by the scheduler ({@code PodScheduled=False}, reason {@code Unschedulable}). */
    static boolean unschedulable(Pod pod) {
        if (pod.getStatus() == null || !"Pending".equals(pod.getStatus().getPhase())) {
            return false;
        }
        return conditions(pod).stream().anyMatch(c -> "PodScheduled".equals(c.getType())
                && "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason()));
    }

    static boolean preempted(Pod pod) {
        return conditions(pod).stream().anyMatch(c -> DISRUPTION_TARGET.equals(c.getType())
                && "True".equals(c.getStatus()) && PREEMPTION_BY_SCHEDULER.equals(c.getReason()));
    }

    private static List<PodCondition> conditions(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getConditions() == null ? List.of()
                : pod.getStatus().getConditions();
    }

    private static String poolOf(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        return labels == null ? null : labels.get(HeadroomObjects.POOL_LABEL);
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    private void meters(String pool) {
        if (pools.add(pool)) {
            Gauge.builder("headstart.headroom.pending", this, m -> m.pending(pool))
                    .description("Headroom pause pods the scheduler found no node for (capacity is being added)")
                    .tag("pool", pool)
                    .register(registry);
            preemptedCounter(pool);
        }
    }

    private Counter preemptedCounter(String pool) {
        return Counter.builder("headstart.headroom.preempted")
                .description("Headroom pause pods preempted by the scheduler for a real pod (the headroom was used)")
                .tag("pool", pool)
                .register(registry);
    }
}
