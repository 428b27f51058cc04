package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code startup-probe}: makes a container with a readiness probe ready the moment it is ready,
 * without adding a way for it to be killed.
 *
 * <p>The win: a readiness probe's {@code initialDelaySeconds} is a guess the kubelet waits out
 * before the first check, and after it readiness is only checked every {@code periodSeconds}. A
 * startup probe polled every second ends at the first success, and the kubelet then runs the
 * readiness probe at once ({@code pkg/kubelet/prober/prober_manager.go}, {@code UpdatePodStatus}).
 * So the readiness delay drops to 0 and a startup probe is added.
 *
 * <p>The safety: a startup probe that keeps failing kills the container. It is derived so that it
 * can only kill where the container's own probes would have killed it anyway:
 * <ul>
 * <li>with a liveness probe, from the liveness probe's handler and timeout, with a budget no
 *     shorter than what the liveness probe allowed ({@link ProbeTiming#livenessAllowanceSeconds})
 *     nor than the configured floor. The liveness probe itself is left as written: its initial
 *     delay wins no readiness time, and dropping it could kill a container whose liveness check
 *     passes later than the handler the startup probe used;</li>
 * <li>readiness only, and the container is restarted when killed: from the readiness handler,
 *     with failureThreshold at the int32 maximum, so it never kills (nothing killed it before);</li>
 * <li>readiness only, and the container is never restarted ({@code restartPolicy: Never}): no
 *     startup probe, as a kill would fail the pod; only the readiness delay drops to 0;</li>
 * <li>no readiness probe: nothing. Such a container is ready once started, and a startup probe
 *     would only hold that back.</li>
 * </ul>
 */
public final class StartupProbeRule implements Rule {

    public static final String NAME = "startup-probe";

    /**
     * The budget of a startup probe on a container no probe could kill before: never. Its
     * failureThreshold is the largest the API accepts (int32), which at one probe a second is 68
     * years. Such containers may be meant to stay unready for days (a multi-TB restore, a chain
     * sync, a Cassandra bootstrap, a gated standby); before Headstart nothing killed them, and
     * nothing Headstart adds may.
     */
    public static final long NEVER = Long.MAX_VALUE;

    /** Probe timing fields: everything else in a probe is its handler (and timeout) and is copied as is. */
    private static final List<String> TIMING = List.of(
            "initialDelaySeconds", "periodSeconds", "successThreshold", "failureThreshold");

    private final int periodSeconds;
    private final long minStartupSeconds;

    /**
     * @param periodSeconds     how often the startup probe polls
     * @param minStartupSeconds the least budget any derived startup probe gets (a floor: the
     *                          container's own liveness probe can demand more)
     */
    public StartupProbeRule(int periodSeconds, int minStartupSeconds) {
        if (periodSeconds < 1 || minStartupSeconds < 1) {
            throw new IllegalArgumentException("startup probe period and budget must be at least 1 second");
        }
        this.periodSeconds = periodSeconds;
        this.minStartupSeconds = minStartupSeconds;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean appliesTo(Workload workload) {
        return workload.podSpec() != null;
    }

    /** What the rule does to one container: derive a startup probe, zero the readiness delay, or both. */
    private record Plan(String source, long budgetSeconds, boolean zeroReadinessDelay) {
        boolean addsStartupProbe() {
            return source != null;
        }
    }

    @Override
    public List<Finding> check(Workload workload) {
        List<Finding> findings = new ArrayList<>();
        String podRestartPolicy = podRestartPolicy(workload);
        for (ObjectNode container : workload.containers()) {
            Plan plan = plan(container, podRestartPolicy);
            if (plan == null) {
                continue;
            }
            String name = container.path("name").asText("?");
            if (plan.addsStartupProbe()) {
                findings.add(new Finding(NAME, "container " + name + " has a readinessProbe but no startupProbe",
                        "add a startupProbe with the " + plan.source() + "'s handler, periodSeconds: " + periodSeconds
                                + ", failureThreshold: " + threshold(plan) + (plan.budgetSeconds() == NEVER ? " (never kills)"
                                : " (no kill before " + plan.budgetSeconds() + " s)") + (plan.zeroReadinessDelay() ? ", and readinessProbe.initialDelaySeconds: 0" : "")));
            } else {
                findings.add(new Finding(NAME, "container " + name + " waits readinessProbe.initialDelaySeconds: "
                        + container.path("readinessProbe").path("initialDelaySeconds").asText() + " before its first check",
                        "set readinessProbe.initialDelaySeconds: 0"));
            }
        }
        return findings;
    }

    @Override
    public boolean mutate(Workload workload, Warnings warnings) {
        boolean changed = false;
        String podRestartPolicy = podRestartPolicy(workload);
        for (ObjectNode container : workload.containers()) {
            Plan plan = plan(container, podRestartPolicy);
            if (plan == null) {
                continue;
            }
            if (plan.addsStartupProbe()) {
                ObjectNode startup = ((ObjectNode) container.get(plan.source())).deepCopy();
                startup.remove(TIMING);
                if (!startup.has("timeoutSeconds")) {
                    // As the API server defaults it, so the stored probe is what Headstart recorded writing.
                    startup.put("timeoutSeconds", ProbeTiming.DEFAULT_TIMEOUT);
                }
                startup.put("initialDelaySeconds", 0);
                startup.put("periodSeconds", periodSeconds);
                startup.put("successThreshold", 1);
                startup.put("failureThreshold", threshold(plan));
                container.set("startupProbe", startup);
            }
            if (plan.zeroReadinessDelay()) {
                ((ObjectNode) container.get("readinessProbe")).put("initialDelaySeconds", 0);
            }
            changed = true;
        }
        return changed;
    }

    private int threshold(Plan plan) {
        return plan.budgetSeconds() == NEVER ? Integer.MAX_VALUE
                : ProbeTiming.startupFailureThreshold(plan.budgetSeconds(), periodSeconds);
    }

    /** What to do for one container, or null when it needs nothing. */
    private Plan plan(ObjectNode container, String podRestartPolicy) {
        if (container.hasNonNull("startupProbe") || !(container.get("readinessProbe") instanceof ObjectNode readiness)) {
            return null;
        }
        boolean readinessDelayed = readiness.path("initialDelaySeconds").asInt(0) != 0;
        if (container.get("livenessProbe") instanceof ObjectNode liveness) {
            long allowed = ProbeTiming.of(liveness).livenessAllowanceSeconds();
            return new Plan("livenessProbe", Math.max(minStartupSeconds, allowed), readinessDelayed);
        }
        if (restartedWhenKilled(container, podRestartPolicy)) {
            return new Plan("readinessProbe", NEVER, readinessDelayed);
        }
        return readinessDelayed ? new Plan(null, 0, true) : null;
    }

    /**
     * Whether the kubelet starts the container again after a probe killed it: the container's own
     * {@code restartPolicy} when set, else the pod's (default Always, {@code pkg/apis/core/v1/defaults.go});
     * anything but Never restarts ({@code pkg/kubelet/kuberuntime/kuberuntime_manager.go},
     * {@code computePodActions}). Restart rules by exit code cannot be judged here, so they count as
     * not restarted.
     */
    private static boolean restartedWhenKilled(ObjectNode container, String podRestartPolicy) {
        if (container.hasNonNull("restartPolicyRules")) {
            return false;
        }
        JsonNode own = container.get("restartPolicy");
        String policy = own != null && own.isTextual() ? own.asText() : podRestartPolicy;
        return !"Never".equals(policy);
    }

    private static String podRestartPolicy(Workload workload) {
        ObjectNode spec = workload.podSpec();
        return spec == null ? "Always" : spec.path("restartPolicy").asText("Always");
    }
}
