package dev.headstart.controller.cpuboost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.json.Json;
import dev.headstart.rules.CpuBoostRecord;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What to do about one boosted pod, read from the pod alone (its record annotation, spec and
 * status), so any leader comes to the same answer: wait, give the limits back now (the pod is Ready
 * with the boosted containers started, or {@code max-duration} has passed since it started), nothing
 * (given back already, terminal, being deleted), or nothing ever (the record cannot be read).
 *
 * @param body    the strategic-merge patch for {@code pods/resize} (REVERT): exactly the recorded limits
 * @param wakeAt  when to look again (WAIT)
 * @param trigger {@code ready} or {@code max_duration} (REVERT); the reason (IMPOSSIBLE)
 * @param since   when the boost began (the pod's start, else its creation), for the duration histogram
 */
public record RevertPlan(Action action, String body, Instant wakeAt, String trigger, Instant since) {

    /** REBOOST: raise the limits again after a container restart ({@code reboost-after-restart}). */
    public enum Action { WAIT, REVERT, DONE, IMPOSSIBLE, REBOOST }

    static RevertPlan done() {
        return new RevertPlan(Action.DONE, null, null, null, null);
    }

    public static RevertPlan of(Pod pod, Instant now, Duration maxDuration) {
        return of(pod, now, maxDuration, false);
    }

    /**
     * As above; with {@code reboost}, a pod whose limits were given back and one of whose boosted
     * containers has restarted, runs, is not ready and started less than {@code max-duration} ago, is
     * raised again to the limits admission gave it ({@link CpuBoostRecord#BOOSTED_ANNOTATION}; a
     * container whose limit was removed has none: resize cannot remove a limit). The re-boost is
     * then reverted like the first boost, its {@code max-duration} counted from the restart.
     */
    public static RevertPlan of(Pod pod, Instant now, Duration maxDuration, boolean reboost) {
        var metadata = pod.getMetadata();
        if (metadata == null || metadata.getDeletionTimestamp() != null || pod.getStatus() != null
                && ("Succeeded".equals(pod.getStatus().getPhase()) || "Failed".equals(pod.getStatus().getPhase()))) {
            return done();
        }
        String recorded = metadata.getAnnotations() == null ? null : metadata.getAnnotations().get(CpuBoostRecord.ANNOTATION);
        if (recorded == null) {
            return done(); // labelled by hand, or the record removed: nothing of Headstart's to give back
        }
        Optional<Map<String, String>> limits = CpuBoostRecord.parse(recorded);
        Instant since = since(pod);
        if (limits.isEmpty()) {
            return new RevertPlan(Action.IMPOSSIBLE, null, null, "its " + CpuBoostRecord.ANNOTATION
                    + " annotation cannot be read, so the original limits are unknown", since);
        }
        JsonNode spec = Json.MAPPER.valueToTree(pod.getSpec());
        List<String> pending = CpuBoostRecord.pending(spec, limits.get());
        if (pending.isEmpty()) {
            return reboost ? reboost(pod, spec, now, maxDuration) : done();
        }
        if (reboost) {
            Instant restarted = latestRestart(pod, pending);
            if (restarted != null && (since == null || restarted.isAfter(since))) {
                since = restarted;
            }
        }
        String trigger = null;
        if (ready(pod) && started(pod, pending)) {
            trigger = "ready";
        } else if (since != null && !since.plus(maxDuration).isAfter(now)) {
            trigger = "max_duration";
        }
        if (trigger == null) {
            Instant wake = since == null ? now.plus(maxDuration) : since.plus(maxDuration);
            return new RevertPlan(Action.WAIT, null, wake, null, since);
        }
        return new RevertPlan(Action.REVERT, body(spec, limits.get(), pending), null, trigger, since);
    }

    /**
     * {@code {"spec":{"containers":[{"name":..,"resources":{"limits":{"cpu":..}}}],"initContainers":[..]}}}:
     * a strategic merge keyed by container name, so only those limits change (a JSON merge patch would
     * replace the lists, and the API server answers that with "resource limits cannot be removed").
     */
    static String body(JsonNode spec, Map<String, String> limits, List<String> pending) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode patchSpec = root.putObject("spec");
        for (String field : List.of("containers", "initContainers")) {
            ArrayNode list = null;
            for (JsonNode container : spec.path(field)) {
                String name = container.path("name").asText("");
                if (!pending.contains(name)) {
                    continue;
                }
                list = list == null ? patchSpec.putArray(field) : list;
                ObjectNode entry = list.addObject().put("name", name);
                entry.putObject("resources").putObject("limits").put("cpu", limits.get(name));
            }
        }
        return root.toString();
    }

    /** REBOOST for the containers restarted within their startup window, else DONE. */
    private static RevertPlan reboost(Pod pod, JsonNode spec, Instant now, Duration maxDuration) {
        String text = pod.getMetadata().getAnnotations().get(CpuBoostRecord.BOOSTED_ANNOTATION);
        Optional<Map<String, String>> raised = text == null ? Optional.empty() : CpuBoostRecord.parse(text);
        if (raised.isEmpty()) {
            return done(); // removed limits (or no record): nothing a resize may set
        }
        List<String> again = new java.util.ArrayList<>();
        Instant since = null;
        for (ContainerStatus status : statuses(pod)) {
            if (status == null || !raised.get().containsKey(status.getName())) {
                continue;
            }
            Instant started = runningSince(status);
            if (status.getRestartCount() != null && status.getRestartCount() > 0 && started != null
                    && !Boolean.TRUE.equals(status.getReady()) && started.plus(maxDuration).isAfter(now)) {
                again.add(status.getName());
                since = since == null || started.isAfter(since) ? started : since;
            }
        }
        // only those whose limit is not the raised one already (a stale informer, a second look)
        List<String> differ = CpuBoostRecord.pending(spec, raised.get());
        again.retainAll(differ);
        if (again.isEmpty()) {
            return done();
        }
        return new RevertPlan(Action.REBOOST, body(spec, raised.get(), again), null, "restart", since);
    }

    /** The latest start of a restarted container among {@code names}, or null. */
    private static Instant latestRestart(Pod pod, List<String> names) {
        Instant latest = null;
        for (ContainerStatus status : statuses(pod)) {
            if (status != null && names.contains(status.getName()) && status.getRestartCount() != null
                    && status.getRestartCount() > 0) {
                Instant started = runningSince(status);
                latest = started != null && (latest == null || started.isAfter(latest)) ? started : latest;
            }
        }
        return latest;
    }

    private static Instant runningSince(ContainerStatus status) {
        if (status.getState() == null || status.getState().getRunning() == null
                || status.getState().getRunning().getStartedAt() == null) {
            return null;
        }
        try {
            return Instant.parse(status.getState().getRunning().getStartedAt());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static List<ContainerStatus> statuses(Pod pod) {
        List<ContainerStatus> all = new java.util.ArrayList<>();
        if (pod.getStatus() != null) {
            if (pod.getStatus().getContainerStatuses() != null) {
                all.addAll(pod.getStatus().getContainerStatuses());
            }
            if (pod.getStatus().getInitContainerStatuses() != null) {
                all.addAll(pod.getStatus().getInitContainerStatuses());
            }
        }
        return all;
    }

    private static boolean ready(Pod pod) {
        List<PodCondition> conditions = pod.getStatus() == null ? null : pod.getStatus().getConditions();
        return conditions != null && conditions.stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** Every boosted container reports {@code started} (its startup probe passed, or it has none and runs). */
    private static boolean started(Pod pod, List<String> pending) {
        if (pod.getStatus() == null) {
            return false;
        }
        var statuses = new java.util.ArrayList<io.fabric8.kubernetes.api.model.ContainerStatus>();
        if (pod.getStatus().getContainerStatuses() != null) {
            statuses.addAll(pod.getStatus().getContainerStatuses());
        }
        if (pod.getStatus().getInitContainerStatuses() != null) {
            statuses.addAll(pod.getStatus().getInitContainerStatuses());
        }
        for (String name : pending) {
            boolean started = statuses.stream().anyMatch(s -> name.equals(s.getName()) && Boolean.TRUE.equals(s.getStarted()));
            if (!started) {
                return false;
            }
        }
        return true;
    }

    /** The pod's start (the kubelet accepted it), else its creation; null when neither can be read. */
    static Instant since(Pod pod) {
        String start = pod.getStatus() == null ? null : pod.getStatus().getStartTime();
        for (String at : new String[] {start, pod.getMetadata().getCreationTimestamp()}) {
            if (at != null) {
                try {
                    return Instant.parse(at);
                } catch (DateTimeParseException e) {
                    // try the next
                }
            }
        }
        return null;
    }
}
