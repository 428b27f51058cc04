package dev.headstart.controller.informers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * fabric8's {@link ReducedStateItemStore} (only the listed fields are kept, as plain maps) that
 * also drops {@code kubectl apply}'s last-applied annotation, a copy of the whole object, from
 * kinds whose annotations are kept. Reads rebuild a typed object from the kept fields, so callers
 * should read by key or index rather than list a large store.
 */
final class SlimItemStore<T extends HasMetadata> implements ItemStore<T> {

    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    private final ReducedStateItemStore<T> reduced;
    private final Set<String> keptAnnotations;

    SlimItemStore(Class<T> type, KubernetesSerialization serialization, List<String> fields) {
        this(type, serialization, fields, Set.of());
    }

    SlimItemStore(Class<T> type, KubernetesSerialization serialization, List<String> fields, Set<String> keptAnnotations) {
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

    @Override
    public Stream<T> values() {
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
