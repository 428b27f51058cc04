package dev.headstart.rules;

/** The parts of a PriorityClass that the Priority admission plugin copies into a pod. */
public record PriorityClassSpec(int value, String preemptionPolicy) {

    public PriorityClassSpec {
        if (preemptionPolicy == null || preemptionPolicy.isBlank()) {
            preemptionPolicy = "PreemptLowerPriority";
        }
    }
}
