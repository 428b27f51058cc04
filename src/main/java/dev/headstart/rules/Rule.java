package dev.headstart.rules;

import java.util.List;

/**
 * One Headstart practice. A rule is pure: it reads and changes the workload's JSON tree and nothing
 * else, so the webhook, the validating mode, the background scan and the CLI all run it unchanged.
 *
 * <p>{@link #check} and {@link #mutate} must agree: {@code check} finds nothing exactly when
 * {@code mutate} would change nothing (a rule may still decline to mutate, with a warning, when it
 * lacks what it needs, such as a priority class missing from the cluster).
 */
public interface Rule {

    /** The stable identifier used in annotations, configuration, metrics and reports. */
    String name();

    /** Whether the rule has anything to say about this kind of object. */
    boolean appliesTo(Workload workload);

    /** What is missing, read-only. An empty list means the workload passes. */
    List<Finding> check(Workload workload);

    /**
     * Fills the gaps {@link #check} reports, in place.
     *
     * @return whether the workload changed
     */
    boolean mutate(Workload workload, Warnings warnings);

    /**
     * Whether {@link #mutate} inserts elements into an array whose elements other rules change
     * (api-wait puts an init container in front of the others). The engine diffs such a rule's
     * change on its own: diffed together with an in-place change to the element it shifted, the
     * insertion would come out as field-by-field replaces. Appending at the end needs no stage.
     */
    default boolean insertsArrayElements() {
        return false;
    }

    /** PolicyReport severity of a failure of this rule. */
    default String severity() {
        return "medium";
    }

    /** PolicyReport category of this rule. */
    default String category() {
        return "Scale-up latency";
    }
}
