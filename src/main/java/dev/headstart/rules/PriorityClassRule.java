package dev.headstart.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Optional;

/**
 * {@code priority-class}: gives pods without a priority class the configured high class.
 *
 * <p>The Priority admission plugin runs before mutating webhooks and has already resolved
 * {@code spec.priority} from the (empty) class; a pod whose name changes but whose priority does
 * not is rejected or keeps priority 0. So a pod gets the class's value and preemption policy too,
 * and a class that does not exist is not injected at all. A pod template carries only the name:
 * its pods are resolved by the plugin when they are created.
 */
public final class PriorityClassRule implements Rule {

    public static final String NAME = "priority-class";

    private final String className;
    private final PriorityClassCatalog catalog;

    public PriorityClassRule(String className, PriorityClassCatalog catalog) {
        this.className = className;
        this.catalog = catalog;
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
        if (hasClass(workload.podSpec())) {
            return List.of();
        }
        String what = workload.isPod() ? "pod" : "pod template";
        return List.of(new Finding(NAME, what + " has no priorityClassName",
                "set spec.priorityClassName: " + className));
    }

    @Override
    public boolean mutate(Workload workload, Warnings warnings) {
        ObjectNode spec = workload.podSpec();
        if (hasClass(spec)) {
            return false;
        }
        Optional<PriorityClassSpec> found = catalog.find(className);
        if (found.isEmpty()) {
            warnings.add(NAME, "PriorityClass " + className + " does not exist in the cluster; not injected");
            return false;
        }
        spec.put("priorityClassName", className);
        if (workload.isPod()) {
            spec.put("priority", found.get().value());
            spec.put("preemptionPolicy", found.get().preemptionPolicy());
        }
        return true;
    }

    private static boolean hasClass(ObjectNode spec) {
        return !spec.path("priorityClassName").asText("").isEmpty();
    }
}
