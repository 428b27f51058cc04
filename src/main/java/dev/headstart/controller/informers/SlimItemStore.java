package dev.headstart.controller.informers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * fabric8's {@link ReducedStateItemStore} (only the listed fields are kept, as plain maps) that
 * also drops {@code kubectl apply}'s last-applied annotation, a copy of the whole object, from
 * kinds whose annotations are kept. Reads rebuild a typed object from the kept fields, so callers
 * should read by key or index rather than list a large store.
 *
 * <p>{@link #values()} is what fabric8 itself reads: after every list, {@code ProcessorStore.retainAll}
 * rebuilds <em>every</em> stored object into one list to find those the list no longer had
 * (deleted while the watch was down; fabric8 7.5, {@code informers/impl/cache/ProcessorStore.java}).
 * Rebuilt at once, a cache costs more than it holds: 86 MiB at 150,000 pods
 * ({@code PodStoreHeapHarness}), the biggest peak of the controller's start-up, and again at every
 * relist after a watch gap. What the list itself stored cannot have vanished, and the store sees it
 * arrive: while the informer is not watching ({@link #watching}), every put comes from a list page.
 * So {@code values()} rebuilds only the objects the running list did not store — none after a first
 * list, the vanished ones after a relist — and the store's own readers use {@link #all()}. A list or
 * watch that fails ({@link #listFailed}) forgets what it stored, so the next list finds all it lacks.
 */
final class SlimItemStore<T extends HasMetadata> implements ItemStore<T> {

    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    private final ReducedStateItemStore<T> reduced;
    private final Set<String> keptAnnotations;
    private final StoreTrim<T> trim;
    /** Whether the informer watches; a store not tied to an informer behaves as fabric8's. */
    private volatile BooleanSupplier watching = () -> true;
    /** Keys the running list stored (the store's own key strings: ~40 bytes each while it runs). */
    private final Set<String> listed = ConcurrentHashMap.newKeySet();

    SlimItemStore(Class<T> type, KubernetesSerialization serialization, List<String> fields) {
        this(type, serialization, fields, Set.of(), StoreTrim.none());
    }

    SlimItemStore(Class<T> type, KubernetesSerialization serialization, List<String> fields, Set<String> keptAnnotations) {
        this(type, serialization, fields, keptAnnotations, StoreTrim.none());
    }

    SlimItemStore(Class<T> type, KubernetesSerialization serialization, List<String> fields, Set<String> keptAnnotations,
                  StoreTrim<T> trim) {
        this.trim = trim;
        this.keptAnnotations = Set.copyOf(keptAnnotations);
        this.reduced = new ReducedStateItemStore<>(ReducedStateItemStore.NAME_KEY_STATE, type, serialization,
                fields.toArray(String[]::new));
    }

    @Override
    public String getKey(T obj) {
        return reduced.getKey(obj);
    }

    @Override
    public T put(String key, T obj) {
        if (!watching.getAsBoolean()) {
            listed.add(key);
        }
        if (obj == null) {
            return reduced.put(key, null);
        }
        // The informer's thread owns the object until it hands it to the handlers, whole again.
        Runnable restore = trim.narrow(obj);
        try {
            return slimPut(key, obj);
        } finally {
            restore.run();
        }
    }

    private T slimPut(String key, T obj) {
        if (keptAnnotations.isEmpty() || obj == null || obj.getMetadata() == null) {
            return reduced.put(key, withoutLastApplied(obj));
        }
        // Only the listed annotations go into the store; the handlers, next, get the object whole.
        // (The informer's thread owns the object until it hands it to them.)
        ObjectMeta metadata = obj.getMetadata();
        Map<String, String> all = metadata.getAnnotations();
        Map<String, String> kept = null;
        if (all != null) {
            for (String annotation : keptAnnotations) {
                String value = all.get(annotation);
                if (value != null) {
                    kept = kept == null ? new LinkedHashMap<>() : kept;
                    kept.put(annotation, value);
                }
            }
        }
        metadata.setAnnotations(kept);
        try {
            return reduced.put(key, obj);
        } finally {
            metadata.setAnnotations(all);
        }
    }

    @Override
    public T remove(String key) {
        return reduced.remove(key);
    }

    @Override
    public Stream<String> keySet() {
        return reduced.keySet();
    }

    /** Ties the store to its informer (see the class comment). */
    void watching(BooleanSupplier informerWatching) {
        this.watching = informerWatching;
    }

    /** A list or watch failed: what the running list stored proves nothing about the next one. */
    void listFailed() {
        listed.clear();
    }

    /**
     * What fabric8 reads after each list to find vanished objects: while the informer does not
     * watch, only the objects the running list did not store (see the class comment).
     */
    @Override
    public Stream<T> values() {
        if (watching.getAsBoolean()) {
            return reduced.values();
        }
        List<T> unlisted = reduced.keySet().filter(key -> !listed.contains(key)).map(reduced::get)
                .filter(Objects::nonNull).toList();
        listed.clear();
        return unlisted.stream();
    }

    /** Every stored object, rebuilt from the kept fields. */
    Stream<T> all() {
        return reduced.values();
    }

    @Override
    public int size() {
        return reduced.size();
    }

    @Override
    public T get(String key) {
        return reduced.get(key);
    }

    @Override
    public boolean isFullState() {
        return false;
    }

    /** The handlers see the same object next; none of them reads that annotation. */
    private static <T extends HasMetadata> T withoutLastApplied(T obj) {
        Map<String, String> annotations = obj == null || obj.getMetadata() == null ? null
                : obj.getMetadata().getAnnotations();
        if (annotations != null && annotations.containsKey(LAST_APPLIED)) {
            Map<String, String> kept = new LinkedHashMap<>(annotations);
            kept.remove(LAST_APPLIED);
            obj.getMetadata().setAnnotations(kept);
        }
        return obj;
    }
}
