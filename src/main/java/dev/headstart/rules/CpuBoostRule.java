package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code cpu-boost}: a pod's containers start without their CPU throttle and the controller gives
 * the limits back once the pod is Ready (or after {@code max-duration}) through {@code pods/resize}.
 *
 * <p>Off unless {@code headstart.cpu-boost.enabled}; then for pods in a namespace labelled
 * {@value #OPT_IN}{@code =enabled} or annotated so themselves ({@code disabled} on the pod opts out).
 * Only Pods, on creation: requests stay as they are (the scheduler, headroom, HPA and autoscalers
 * see the same pod), the original limits go into {@link CpuBoostRecord#ANNOTATION}. Left alone:
 * Guaranteed pods, containers without a CPU limit, containers whose CPU resize restarts them,
 * ordinary init containers (they cannot be resized), DaemonSet pods. How far a limit goes is
 * {@link CpuBoostPlan}'s business. A pod that carries the record already is done (reinvocation).
 */
public final class CpuBoostRule implements Rule {

    public static final String NAME = "cpu-boost";

    /** Namespace label or pod annotation: {@code enabled} opts in; on a pod, {@code disabled} opts out. */
    public static final String OPT_IN = "headstart.dev/cpu-boost";

    /** How long past {@code max-duration} a boost may stay before the check reports it as never reverted. */
    static final Duration REVERT_GRACE = Duration.ofMinutes(5);

    /** A static pod's mirror: ValidatePodResize refuses to resize it, so it is never boosted. */
    static final String MIRROR = "kubernetes.io/config.mirror";

    private final CpuBoostSettings settings;
    private final CpuBoostFacts facts;
    private final Clock clock;

    public CpuBoostRule(CpuBoostSettings settings, CpuBoostFacts facts, Clock clock) {
        this.settings = settings;
        this.facts = facts;
        this.clock = clock;
    }

    public CpuBoostRule(CpuBoostSettings settings, CpuBoostFacts facts) {
        this(settings, facts, Clock.systemUTC());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String category() {
        return "Start-up CPU";
    }

    @Override
    public String severity() {
        return "low";
    }

    @Override
    public boolean appliesTo(Workload workload) {
        if (!settings.enabled() || !workload.isPod() || workload.podSpec() == null || ownedByDaemonSet(workload)
                || workload.annotation(MIRROR) != null) {
            return false;
        }
        if (workload.annotation(CpuBoostRecord.ANNOTATION) != null) {
            return true; // boosted: the check says whether the boost was ever given back
        }
        String own = workload.annotation(OPT_IN);
        if ("disabled".equals(own)) {
            return false;
        }
        return "enabled".equals(own)
                || facts.namespaceLabel(workload.namespace(), OPT_IN).filter("enabled"::equals).isPresent();
    }

    @Override
    public List<Finding> check(Workload workload) {
        String recorded = workload.annotation(CpuBoostRecord.ANNOTATION);
        if (recorded != null) {
            return notReverted(workload, recorded).map(List::of).orElse(List.of());
        }
        if (exists(workload)) {
            return List.of(); // a boost happens at creation only; a running pod is past its start
        }
        CpuBoostPlan plan = CpuBoostPlan.of(workload, settings, facts);
        if (plan.declined() != null) {
            return List.of(new Finding(NAME, "not boosted: " + plan.declined(), "see DESIGN.md, cpu-boost"));
        }
        if (plan.boosts().isEmpty()) {
            return List.of();
        }
        String names = String.join(", ", plan.boosts().stream().map(CpuBoostPlan.Boost::container).toList());
        return List.of(new Finding(NAME, "containers " + names + " start throttled at their steady-state CPU limit",
                "let the webhook lift the limit at creation; the controller restores it once the pod is Ready"));
    }

    @Override
    public boolean mutate(Workload workload, Warnings warnings) {
        if (workload.annotation(CpuBoostRecord.ANNOTATION) != null || exists(workload)) {
            return false;
        }
        CpuBoostPlan plan = CpuBoostPlan.of(workload, settings, facts);
        if (plan.declined() != null) {
            warnings.add(NAME, "not boosted: " + plan.declined());
            return false;
        }
        if (plan.boosts().isEmpty()) {
            return false;
        }
        ObjectNode spec = workload.podSpec();
        Map<String, String> originals = new LinkedHashMap<>();
        Map<String, String> raised = new LinkedHashMap<>();
        for (CpuBoostPlan.Boost boost : plan.boosts()) {
            ObjectNode container = (ObjectNode) spec.get(boost.field()).get(boost.index());
            ObjectNode resources = Workload.objectAt(container, "resources");
            ObjectNode limits = Workload.objectAt(resources, "limits");
            if (boost.pinRequest()) {
                Workload.objectAt(resources, "requests").put("cpu", boost.original());
            }
            if (boost.newMillis() == null) {
                limits.remove("cpu");
                if (limits.isEmpty()) {
                    resources.remove("limits");
                }
            } else {
                limits.put("cpu", CpuQuantity.format(boost.newMillis()));
                raised.put(boost.container(), CpuQuantity.format(boost.newMillis()));
            }
            originals.put(boost.container(), boost.original());
        }
        ObjectNode metadata = workload.metadata();
        Workload.objectAt(metadata, "annotations").put(CpuBoostRecord.ANNOTATION, CpuBoostRecord.format(originals));
        if (!raised.isEmpty()) {
            Workload.objectAt(metadata, "annotations").put(CpuBoostRecord.BOOSTED_ANNOTATION, CpuBoostRecord.format(raised));
        }
        Workload.objectAt(metadata, "labels").put(CpuBoostRecord.LABEL, "true");
        return true;
    }

    /**
     * A boosted pod whose limits still differ from the record although it started longer ago than
     * {@code max-duration} plus a grace: the controller never gave the boost back (not running,
     * refused, or the pod's record damaged).
     */
    private Optional<Finding> notReverted(Workload pod, String recorded) {
        Optional<Instant> since = startTime(pod);
        if (since.isEmpty() || since.get().plus(settings.maxDuration()).plus(REVERT_GRACE).isAfter(clock.instant())) {
            return Optional.empty();
        }
        Optional<Map<String, String>> limits = CpuBoostRecord.parse(recorded);
        if (limits.isPresent() && CpuBoostRecord.pending(pod.podSpec(), limits.get()).isEmpty()) {
            return Optional.empty();
        }
        String why = limits.isEmpty() ? "its " + CpuBoostRecord.ANNOTATION + " annotation cannot be read"
                : "containers " + String.join(", ", CpuBoostRecord.pending(pod.podSpec(), limits.get()))
                        + " still run on the boosted CPU limit";
        return Optional.of(new Finding(NAME, "boost never reverted: " + why,
                "check the controller's headstart_cpu_boost_revert_failures_total and the pod's Events;"
                        + " kubectl patch --subresource resize restores the recorded limits"));
    }

    /** When the pod started (status.startTime), else when it was created; empty for a pod being created. */
    private static Optional<Instant> startTime(Workload pod) {
        for (JsonNode at : List.of(pod.root().path("status").path("startTime"),
                pod.root().path("metadata").path("creationTimestamp"))) {
            if (at.isTextual()) {
                try {
                    return Optional.of(Instant.parse(at.asText()));
                } catch (DateTimeParseException e) {
                    // an unreadable time is no time
                }
            }
        }
        return Optional.empty();
    }

    /** The API server has stored it already (an UPDATE, the background scan): not a creation. */
    private static boolean exists(Workload pod) {
        JsonNode metadata = pod.root().path("metadata");
        return metadata.path("uid").isTextual() && metadata.path("creationTimestamp").isTextual();
    }

    private static boolean ownedByDaemonSet(Workload workload) {
        for (JsonNode owner : workload.root().path("metadata").path("ownerReferences")) {
            if ("DaemonSet".equals(owner.path("kind").asText())) {
                return true;
            }
        }
        return false;
    }
}
