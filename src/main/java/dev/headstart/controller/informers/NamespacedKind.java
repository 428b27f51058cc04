package dev.headstart.controller.informers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A kind watched namespace by namespace (workloads in opted-in namespaces only): {@link #in}
 * gives the {@link CachedKind} of one namespace, shared by every subscriber of that namespace.
 */
public record NamespacedKind<T extends HasMetadata>(
        String name,
        Class<T> type,
        int startOrder,
        BiFunction<KubernetesClient, String, Informable<T>> source,
        List<String> storedFields) {

    public NamespacedKind {
        storedFields = List.copyOf(storedFields);
    }

    public CachedKind<T> in(String namespace) {
        return new CachedKind<>(name + "@" + namespace, type, startOrder, client -> source.apply(client, namespace),
                storedFields, Map.of());
    }
}
