package dev.headstart.controller.informers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One informer the whole controller shares: what it watches, which fields its store keeps, its
 * indexes, and when it starts relative to the others. Two subscribers of the same kind (by
 * {@link #name()}) read one cache.
 *
 * @param name         identity in the registry (kinds with the same name are one informer)
 * @param type         the model class
 * @param startOrder   lower starts first; the initial lists run one after another in this order
 * @param source       the (possibly namespaced, label-selected) resource to list and watch
 * @param storedFields dot paths kept in the store besides the key and resourceVersion (fabric8's
 *                     {@code ReducedStateItemStore}); everything else — managedFields, status the
 *                     controller does not read — is dropped as each object arrives
 * @param indexers     extra indexes; the fields they read must be among the stored fields
 * @param keptAnnotations when not empty and {@code metadata.annotations} is stored, only these
 *                     annotation keys are kept (a pod's annotations can be kilobytes; the
 *                     telemetry reads one)
 * @param store        a store of the kind's own instead of the {@link SlimItemStore} of the stored
 *                     fields (null: that one), for kinds whose kept fields are many small lists
 * @param listPageSize objects per page of this kind's lists, when smaller than
 *                     {@code headstart.controller.list-page-size}; 0: that setting. A page is decoded
 *                     into whole objects before the store slims them, so big objects get small pages
 * @param trim         narrows each object before the {@link SlimItemStore} keeps its stored fields
 *                     (parts of a list item a path cannot name)
 */
public record CachedKind<T extends HasMetadata>(
        String name,
        Class<T> type,
        int startOrder,
        Function<KubernetesClient, Informable<T>> source,
        List<String> storedFields,
        Map<String, Function<T, List<String>>> indexers,
        Set<String> keptAnnotations,
        Supplier<ItemStore<T>> store,
        long listPageSize,
        StoreTrim<T> trim) {

    public CachedKind {
        storedFields = List.copyOf(storedFields);
        indexers = Map.copyOf(indexers);
        keptAnnotations = Set.copyOf(keptAnnotations);
        trim = trim == null ? StoreTrim.none() : trim;
        if (listPageSize < 0) {
            throw new IllegalArgumentException("listPageSize must be >= 0: " + listPageSize);
        }
    }

    /** A kind whose store keeps the stored fields and these annotations, listed in pages of {@code headstart.controller.list-page-size}. */
    public CachedKind(String name, Class<T> type, int startOrder, Function<KubernetesClient, Informable<T>> source,
            List<String> storedFields, Map<String, Function<T, List<String>>> indexers, Set<String> keptAnnotations) {
        this(name, type, startOrder, source, storedFields, indexers, keptAnnotations, null, 0, null);
    }

    /** A kind kept in a store of its own (its stored fields say what that store keeps). */
    public CachedKind(String name, Class<T> type, int startOrder, Function<KubernetesClient, Informable<T>> source,
            List<String> storedFields, Map<String, Function<T, List<String>>> indexers, Set<String> keptAnnotations,
            Supplier<ItemStore<T>> store) {
        this(name, type, startOrder, source, storedFields, indexers, keptAnnotations, store, 0, null);
    }

    /** The same kind listed in pages of at most {@code size} objects. */
    public CachedKind<T> withListPageSize(long size) {
        return new CachedKind<>(name, type, startOrder, source, storedFields, indexers, keptAnnotations, store, size, trim);
    }

    /** The same kind with each object narrowed by {@code narrowing} before it is stored. */
    public CachedKind<T> withTrim(StoreTrim<T> narrowing) {
        return new CachedKind<>(name, type, startOrder, source, storedFields, indexers, keptAnnotations, store,
                listPageSize, narrowing);
    }

    /** A kind that keeps all annotations it stores (but kubectl's last-applied copy). */
    public CachedKind(String name, Class<T> type, int startOrder, Function<KubernetesClient, Informable<T>> source,
            List<String> storedFields, Map<String, Function<T, List<String>>> indexers) {
        this(name, type, startOrder, source, storedFields, indexers, Set.of(), null, 0, null);
    }
}
