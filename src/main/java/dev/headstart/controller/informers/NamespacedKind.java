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
        List<String> storedFields,
        StoreTrim<T> trim) {

    public NamespacedKind {
        storedFields = List.copyOf(storedFields);
        trim = trim == null ? StoreTrim.none() : trim;
    }

    /** A kind whose stored fields are kept whole. */
    public NamespacedKind(String name, Class<T> type, int startOrder,
                          BiFunction<KubernetesClient, String, Informable<T>> source, List<String> storedFields) {
        this(name, type, startOrder, source, storedFields, null);
    }

    public CachedKind<T> in(String namespace) {
        return new CachedKind<>(name + "@" + namespace, type, startOrder, client -> source.apply(client, namespace),
                storedFields, Map.of()).withTrim(trim);
    }
}
