package dev.headstart.rules;

/** The parts of a PriorityClass that the Priority admission plugin copies into a pod. */
public record PriorityClassSpec(int value, String preemptionPolicy) {

    /** What the Priority plugin gives a pod when no class applies at all (no global default). */
    public static final PriorityClassSpec NO_CLASS = new PriorityClassSpec(0, "PreemptLowerPriority");

    public PriorityClassSpec {
        if (preemptionPolicy == null || preemptionPolicy.isBlank()) {
            preemptionPolicy = "PreemptLowerPriority";
        }
    }
}
