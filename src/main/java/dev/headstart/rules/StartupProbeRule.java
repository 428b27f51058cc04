package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code startup-probe}: gives each container that has a readiness (else liveness) probe but no
 * startup probe a startup probe with the same handler, polled often from the first second.
 * Readiness and liveness do not run until it succeeds, so their initial delays drop to 0: the pod
 * turns ready as soon as it can instead of after a fixed guess.
 */
public final class StartupProbeRule implements Rule {

    public static final String NAME = "startup-probe";

    /** Probe timing fields: everything else in a probe is its handler and is copied as is. */
    private static final List<String> TIMING = List.of(
            "initialDelaySeconds", "periodSeconds", "successThreshold", "failureThreshold");

    private final int periodSeconds;
    private final int failureThreshold;

    public StartupProbeRule(int periodSeconds, int maxStartupSeconds) {
        if (periodSeconds < 1 || maxStartupSeconds < 1) {
            throw new IllegalArgumentException("startup probe period and budget must be at least 1 second");
        }
        this.periodSeconds = periodSeconds;
        this.failureThreshold = (maxStartupSeconds + periodSeconds - 1) / periodSeconds;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean appliesTo(Workload workload) {
        return workload.podSpec() != null;
    }

    @Override
    public List<Finding> check(Workload workload) {
        List<Finding> findings = new ArrayList<>();
        for (ObjectNode container : workload.containers()) {
            String source = sourceProbeField(container);
            if (source != null) {
                String name = container.path("name").asText("?");
                findings.add(new Finding(NAME, "container " + name + " has a " + source + " but no startupProbe",
                        "add a startupProbe with the " + source + "'s handler, periodSeconds: " + periodSeconds
                                + ", failureThreshold: " + failureThreshold));
            }
        }
        return findings;
    }

    @Override
    public boolean mutate(Workload workload, Warnings warnings) {
        boolean changed = false;
        for (ObjectNode container : workload.containers()) {
            String source = sourceProbeField(container);
            if (source == null) {
                continue;
            }
            ObjectNode startup = ((ObjectNode) container.get(source)).deepCopy();
            startup.remove(TIMING);
            startup.put("initialDelaySeconds", 0);
            startup.put("periodSeconds", periodSeconds);
            startup.put("successThreshold", 1);
            startup.put("failureThreshold", failureThreshold);
            container.set("startupProbe", startup);
            zeroInitialDelay(container.get("readinessProbe"));
            zeroInitialDelay(container.get("livenessProbe"));
            changed = true;
        }
        return changed;
    }

    /** The probe to derive from, or null when the container needs nothing. */
    private static String sourceProbeField(ObjectNode container) {
        if (container.hasNonNull("startupProbe")) {
            return null;
        }
        if (container.get("readinessProbe") instanceof ObjectNode) {
            return "readinessProbe";
        }
        if (container.get("livenessProbe") instanceof ObjectNode) {
            return "livenessProbe";
        }
        return null;
    }

    private static void zeroInitialDelay(JsonNode probe) {
        if (probe instanceof ObjectNode p && p.path("initialDelaySeconds").asInt(0) != 0) {
            p.put("initialDelaySeconds", 0);
        }
    }
}
