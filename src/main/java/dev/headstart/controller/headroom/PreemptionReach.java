package dev.headstart.controller.headroom;

/**
 * What a pod given Headstart's class may preempt, in one line for the start-up log. The scheduler
 * (SelectVictimsOnNode in pkg/scheduler/framework/plugins/defaultpreemption) takes as victims only
 * pods of strictly lower priority, whatever their namespace, and spares PDB-protected ones only
 * when the preemptor fits without them. So a class at 0 displaces placeholders (below 0) and never
 * a running pod at 0 or above, which is what every pod without a class has.
 */
public final class PreemptionReach {

    private PreemptionReach() {
    }

    public static String describe(String className, int value, String preemptionPolicy, int placeholderPriority) {
        String head = "priority-class: opted-in pods get " + className + " (" + value + ", " + preemptionPolicy + "): ";
        if ("Never".equals(preemptionPolicy)) {
            return head + "they preempt nothing, not even headroom placeholders (" + placeholderPriority
                    + "); they wait for free room or a new node";
        }
        if (value <= placeholderPriority) {
            return head + "they cannot preempt headroom placeholders (" + placeholderPriority
                    + "); raise the class above them";
        }
        if (value <= 0) {
            return head + "they preempt pods below " + value + " (headroom placeholders at " + placeholderPriority
                    + "), never a running pod at " + value + " or above, so no namespace that did not opt in loses a pod";
        }
        return head + "they preempt headroom placeholders AND running pods below " + value
                + " in every namespace, including those that did not opt in (pods without a class have 0): "
                + "an explicit cluster-level choice";
    }
}
