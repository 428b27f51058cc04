package dev.headstart.telemetry;

import dev.headstart.rules.CpuBoostRecord;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How long one pod took to start, phase by phase, from the times the pod records: its
 * {@code creationTimestamp} and the {@code lastTransitionTime} of its {@code PodScheduled},
 * {@code Initialized} and {@code Ready} conditions (status {@code True}). The one definition both
 * the live metrics ({@link StartupTelemetry}) and the offline report ({@link StartupReport}) use.
 *
 * <p>Only pods that are Ready count. A pod whose Ready came at or past the {@code horizon} after its
 * creation is not a start at all ({@link #lateReady}, no phases): Ready's {@code lastTransitionTime}
 * is its latest transition, so a pod that lost and regained readiness (a failed probe, a node
 * reboot) dates Ready from then. A phase is left out, never guessed, when
 * <ul>
 *   <li>one of its two ends is missing (condition absent, not True, or a time that does not parse);</li>
 *   <li>it comes out negative: the ends are written by different clocks (API server, scheduler,
 *       kubelet), and a skewed pair says nothing about the phase;</li>
 *   <li>it ends at {@code Ready} ({@code startup}, {@code total}) and a container has restarted:
 *       the kubelet then dates {@code Ready} from the latest start, not the first;</li>
 *   <li>it is longer than {@code total} (the same clocks disagree the other way, e.g. a kubelet that
 *       dates {@code Initialized} a second before the API server's creation time): that phase and
 *       {@code total} are left out and the pod is {@link #inconsistent}.</li>
 * </ul>
 * {@code null} elements in the conditions and container statuses are skipped.
 *
 * @param key          {@code namespace/name}
 * @param headstart    whether Headstart changed the pod (it carries {@code headstart.dev/applied})
 * @param readyAt      when the pod became Ready
 * @param phases       seconds per phase, only the phases that could be measured
 * @param lateReady    Ready came at or past the horizon: not counted as a start
 * @param inconsistent a phase was longer than total: both left out
 */
public record PodStartup(String key, String uid, boolean headstart, Instant createdAt, Instant readyAt,
        Map<PodPhase, Double> phases, boolean lateReady, boolean inconsistent) {

    public static final String APPLIED_ANNOTATION = "headstart.dev/applied";

    /** Pods (and nodes) not Ready within this of their creation did not just start (see above). */
    public static final Duration HORIZON = Duration.ofHours(1);

    /** {@link #of(Pod, Duration)} with the default horizon. */
    public static Optional<PodStartup> of(Pod pod) {
        return of(pod, HORIZON);
    }

    /** The pod's start, or empty when it is not Ready (or has no creation time). */
    public static Optional<PodStartup> of(Pod pod, Duration horizon) {
        if (pod.getMetadata() == null || pod.getStatus() == null) {
            return Optional.empty();
        }
        Optional<Instant> created = Rfc3339.parse(pod.getMetadata().getCreationTimestamp());
        Optional<Instant> ready = trueSince(pod.getStatus(), "Ready");
        if (created.isEmpty() || ready.isEmpty()) {
            return Optional.empty();
        }
        if (Duration.between(created.get(), ready.get()).compareTo(horizon) >= 0) {
            return Optional.of(new PodStartup(key(pod), pod.getMetadata().getUid(), isHeadstart(pod), created.get(),
                    ready.get(), Map.of(), true, false));
        }
        Optional<Instant> scheduled = trueSince(pod.getStatus(), "PodScheduled");
        Optional<Instant> initialized = trueSince(pod.getStatus(), "Initialized");
        boolean restarted = restarted(pod.getStatus());
        Map<PodPhase, Double> phases = new EnumMap<>(PodPhase.class);
        put(phases, PodPhase.SCHEDULING, created, scheduled);
        put(phases, PodPhase.INITIALIZATION, scheduled, initialized);
        if (!restarted) {
            put(phases, PodPhase.STARTUP, initialized, ready);
            put(phases, PodPhase.TOTAL, created, ready);
        }
        boolean inconsistent = false;
        Double total = phases.get(PodPhase.TOTAL);
        if (total != null) {
            for (PodPhase phase : List.of(PodPhase.SCHEDULING, PodPhase.INITIALIZATION, PodPhase.STARTUP)) {
                Double seconds = phases.get(phase);
                if (seconds != null && seconds > total) {
                    phases.remove(phase);
                    inconsistent = true;
                }
            }
            if (inconsistent) {
                phases.remove(PodPhase.TOTAL);
            }
        }
        return Optional.of(new PodStartup(key(pod), pod.getMetadata().getUid(), isHeadstart(pod), created.get(),
                ready.get(), Collections.unmodifiableMap(phases), false, inconsistent));
    }

    /** Whether Headstart changed the pod at admission. */
    public static boolean isHeadstart(Pod pod) {
        Map<String, String> annotations = pod.getMetadata() == null ? null : pod.getMetadata().getAnnotations();
        return annotations != null && annotations.containsKey(APPLIED_ANNOTATION);
    }

    /**
     * Whether the cpu-boost rule lifted the pod's CPU limit at admission: it carries the rule's record
     * annotation, which stays after the revert (so a Ready, reverted pod still counts as boosted).
     */
    public static boolean isBoosted(Pod pod) {
        Map<String, String> annotations = pod.getMetadata() == null ? null : pod.getMetadata().getAnnotations();
        return annotations != null && annotations.containsKey(CpuBoostRecord.ANNOTATION);
    }

    static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    /** When the condition last turned True, if it is True now. */
    static Optional<Instant> trueSince(PodStatus status, String type) {
        List<PodCondition> conditions = status.getConditions();
        if (conditions == null) {
            return Optional.empty();
        }
        for (PodCondition condition : conditions) {
            if (condition != null && type.equals(condition.getType())) {
                return "True".equals(condition.getStatus())
                        ? Rfc3339.parse(condition.getLastTransitionTime()) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static boolean restarted(PodStatus status) {
        List<ContainerStatus> containers = status.getContainerStatuses();
        if (containers == null) {
            return false;
        }
        return containers.stream().anyMatch(c -> c != null && c.getRestartCount() != null && c.getRestartCount() > 0);
    }

    private static void put(Map<PodPhase, Double> phases, PodPhase phase, Optional<Instant> from, Optional<Instant> to) {
        if (from.isPresent() && to.isPresent()) {
            Duration took = Duration.between(from.get(), to.get());
            if (!took.isNegative()) {
                phases.put(phase, took.toMillis() / 1000.0);
            }
        }
    }
}
