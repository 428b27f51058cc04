package dev.headstart.rules;

import java.util.Optional;

/**
 * Where the priority-class rule learns about the cluster's PriorityClasses: the value and
 * preemption policy of a class, and which class the Priority admission plugin gives pods that name
 * none (the {@code globalDefault} one).
 */
public interface PriorityClassCatalog {

    /**
     * Whether the catalog can answer at all. A cluster's cache that has not synced yet cannot:
     * it must not be taken to say that a class is missing.
     */
    default boolean ready() {
        return true;
    }

    /** The class, or empty when it does not exist (the rule then warns and injects nothing). */
    Optional<PriorityClassSpec> find(String name);

    /**
     * The class the Priority plugin resolves for a pod without {@code priorityClassName}: the
     * {@code globalDefault} class (the lowest value when several claim it), or empty when there is
     * none (the plugin then gives priority 0 and {@code PreemptLowerPriority}).
     */
    default Optional<NamedPriorityClass> globalDefault() {
        return Optional.empty();
    }

    /** A class and its name, as the Priority plugin writes both into a pod. */
    record NamedPriorityClass(String name, PriorityClassSpec spec) {
    }

    /** A catalog of exactly one class, for running without a cluster. */
    static PriorityClassCatalog of(String name, PriorityClassSpec spec) {
        return wanted -> wanted.equals(name) ? Optional.of(spec) : Optional.empty();
    }
}
