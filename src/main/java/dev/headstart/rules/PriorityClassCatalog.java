package dev.headstart.rules;

import java.util.Optional;

/** Where the priority-class rule learns the value and preemption policy of a class. */
public interface PriorityClassCatalog {

    /** The class, or empty when it does not exist (the rule then warns and injects nothing). */
    Optional<PriorityClassSpec> find(String name);

    /** A catalog of exactly one class, for running without a cluster. */
    static PriorityClassCatalog of(String name, PriorityClassSpec spec) {
        return wanted -> wanted.equals(name) ? Optional.of(spec) : Optional.empty();
    }
}
