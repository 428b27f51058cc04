package dev.headstart.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code pull-policy}: {@code IfNotPresent} for images that will not change under their name, so a
 * node that already holds the image (from the image cache) starts the container without a registry
 * round trip. The API server has already defaulted the field, so in practice this overrides an
 * explicit {@code Always} on pinned images; {@code Never} is an explicit choice and stays.
 */
public final class PullPolicyRule implements Rule {

    public static final String NAME = "pull-policy";
    private static final String IF_NOT_PRESENT = "IfNotPresent";

    private final PullPolicyMode mode;

    public PullPolicyRule(PullPolicyMode mode) {
        this.mode = mode;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean appliesTo(Workload workload) {
        return mode != PullPolicyMode.OFF && workload.podSpec() != null;
    }

    @Override
    public List<Finding> check(Workload workload) {
        List<Finding> findings = new ArrayList<>();
        for (ObjectNode container : workload.allContainers()) {
            if (needsChange(container)) {
                String policy = container.path("imagePullPolicy").asText("unset");
                findings.add(new Finding(NAME, "container " + container.path("name").asText("?") + " pulls "
                        + container.path("image").asText() + " with imagePullPolicy " + policy,
                        "set imagePullPolicy: IfNotPresent"));
            }
        }
        return findings;
    }

    @Override
    public boolean mutate(Workload workload, Warnings warnings) {
        boolean changed = false;
        for (ObjectNode container : workload.allContainers()) {
            if (needsChange(container)) {
                container.put("imagePullPolicy", IF_NOT_PRESENT);
                changed = true;
            }
        }
        return changed;
    }

    private boolean needsChange(ObjectNode container) {
        String policy = container.path("imagePullPolicy").asText("");
        if (policy.equals(IF_NOT_PRESENT) || policy.equals("Never") || !container.path("image").isTextual()) {
            return false;
        }
        return mode == PullPolicyMode.ALL || ImageReference.parse(container.path("image").asText()).pinned();
    }
}
