package dev.headstart.cluster;

import dev.headstart.rules.NamespaceAnnotations;
import io.fabric8.kubernetes.api.model.Namespace;

import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Namespace annotations (the {@code headstart.dev/priority-class} choice) read from a cache of
 * Namespaces: the webhook's informer ({@link NamespaceInformer}) and the controller's shared cache of
 * opted-in namespaces (for the background scan) both answer through this.
 */
public final class CachedNamespaceAnnotations implements NamespaceAnnotations {

    private final BooleanSupplier synced;
    private final Function<String, Namespace> byName;

    /**
     * @param synced whether the cache holds the cluster's namespaces (until then an absent
     *               annotation means nothing)
     * @param byName a namespace from the cache, or null
     */
    public CachedNamespaceAnnotations(BooleanSupplier synced, Function<String, Namespace> byName) {
        this.synced = synced;
        this.byName = byName;
    }

    @Override
    public boolean ready() {
        return synced.getAsBoolean();
    }

    /** The annotation's value, or empty when the namespace or the annotation is unknown. */
    @Override
    public Optional<String> annotation(String namespace, String key) {
        Namespace found = namespace == null || namespace.isEmpty() ? null : byName.apply(namespace);
        if (found == null || found.getMetadata() == null) {
            return Optional.empty();
        }
        Map<String, String> annotations = found.getMetadata().getAnnotations();
        return annotations == null ? Optional.empty() : Optional.ofNullable(annotations.get(key));
    }
}
