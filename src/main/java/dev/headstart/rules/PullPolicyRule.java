package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code pull-policy}: {@code IfNotPresent} for images that cannot change under their name, so a
 * node that already holds the image (from the image cache) starts the container without a registry
 * round trip.
 *
 * <p>The API server defaults the field before the webhook sees it (IfNotPresent for every tag but
 * {@code latest}), so an {@code Always} on any other tag was written by the owner: for a moving tag
 * ({@code app:main}) it is how they get the newest build, and it stays. In {@code pinned} mode only
 * a digest or an immutable-looking tag ({@link ImageReference#immutable}) loses an {@code Always};
 * {@code all} takes every image; {@code off} does nothing. {@code Never} is always kept. A container
 * with no policy (the CLI reads manifests undefaulted) counts as the API server's default.
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
        if (!container.path("image").isTextual()) {
            return false;
        }
        ImageReference image = ImageReference.parse(container.path("image").asText());
        JsonNode written = container.get("imagePullPolicy");
        String policy = written != null && written.isTextual() && !written.asText().isEmpty()
                ? written.asText() : image.apiDefaultPullPolicy();
        if (!policy.equals("Always")) {
            return false; // IfNotPresent already, Never on purpose, or a value the API server will refuse
        }
        return mode == PullPolicyMode.ALL || image.immutable();
    }
}
