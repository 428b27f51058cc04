package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * The pod CREATE path of the Priority admission plugin, as
 * {@code plugin/pkg/admission/priority/admission.go} (kubernetes/kubernetes) has it, over JSON: no
 * class → the globalDefault class (lowest value) or 0 / PreemptLowerPriority; a named class must
 * exist; a {@code priority} or {@code preemptionPolicy} the pod already carries must equal what was
 * resolved, else Forbidden. It runs before the webhooks and again after a webhook's patch
 * ({@code staging/src/k8s.io/apiserver/pkg/admission/reinvocation.go}). Tests use it to show that
 * what Headstart writes is admitted; the mock server has no admission chain.
 */
final class PriorityPlugin {

    /** A PriorityClass: value, preemption policy, globalDefault. */
    record Class(int value, String policy, boolean globalDefault) {
    }

    static final class Forbidden extends RuntimeException {
        Forbidden(String message) {
            super(message);
        }
    }

    private final Map<String, Class> classes;

    PriorityPlugin(Map<String, Class> classes) {
        this.classes = classes;
    }

    /** Admits the pod in place, or throws {@link Forbidden} with the plugin's message. */
    ObjectNode admit(ObjectNode pod) {
        ObjectNode spec = (ObjectNode) pod.path("spec");
        String name = spec.path("priorityClassName").asText("");
        int value;
        String policy;
        if (name.isEmpty()) {
            Map.Entry<String, Class> def = classes.entrySet().stream().filter(e -> e.getValue().globalDefault())
                    .min(java.util.Comparator.comparingInt(e -> e.getValue().value())).orElse(null);
            if (def != null) {
                spec.put("priorityClassName", def.getKey());
                value = def.getValue().value();
                policy = def.getValue().policy();
            } else {
                value = 0;
                policy = "PreemptLowerPriority";
            }
        } else {
            Class pc = classes.get(name);
            if (pc == null) {
                throw new Forbidden("no PriorityClass with name " + name + " was found");
            }
            value = pc.value();
            policy = pc.policy();
        }
        JsonNode priority = spec.get("priority");
        if (priority != null && !priority.isNull() && priority.asInt() != value) {
            throw new Forbidden("the integer value of priority (" + priority.asInt() + ") must not be provided in pod spec;"
                    + " priority admission controller computed " + value + " from the given PriorityClass name");
        }
        spec.put("priority", value);
        JsonNode given = spec.get("preemptionPolicy");
        if (given != null && !given.isNull() && !given.asText().equals(policy)) {
            throw new Forbidden("the string value of PreemptionPolicy (" + given.asText() + ") must not be provided in pod spec;"
                    + " priority admission controller computed " + policy + " from the given PriorityClass name");
        }
        spec.put("preemptionPolicy", policy);
        return pod;
    }

    /** The catalog Headstart's informer would build from the same classes. */
    PriorityClassCatalog catalog() {
        return new PriorityClassCatalog() {
            @Override
            public java.util.Optional<PriorityClassSpec> find(String name) {
                return java.util.Optional.ofNullable(classes.get(name)).map(c -> new PriorityClassSpec(c.value(), c.policy()));
            }

            @Override
            public java.util.Optional<NamedPriorityClass> globalDefault() {
                return classes.entrySet().stream().filter(e -> e.getValue().globalDefault())
                        .min(java.util.Comparator.comparingInt(e -> e.getValue().value()))
                        .map(e -> new NamedPriorityClass(e.getKey(), new PriorityClassSpec(e.getValue().value(), e.getValue().policy())));
            }
        };
    }
}
