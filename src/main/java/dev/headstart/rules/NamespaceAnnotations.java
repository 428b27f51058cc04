package dev.headstart.rules;

import java.util.Optional;

/**
 * The annotations of the namespace a workload lives in, as far as rules read them (the
 * {@code headstart.dev/priority-class} choice). A cluster answers from an informer cache; offline
 * there are no namespaces.
 */
public interface NamespaceAnnotations {

    /** No namespaces known: offline, or without a cluster. */
    NamespaceAnnotations NONE = (namespace, key) -> Optional.empty();

    /** False while a cluster's cache has not synced: an absent annotation means nothing yet. */
    default boolean ready() {
        return true;
    }

    /** The annotation's value, or empty when the namespace or the annotation is unknown. */
    Optional<String> annotation(String namespace, String key);
}
