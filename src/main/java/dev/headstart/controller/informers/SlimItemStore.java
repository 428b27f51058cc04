package dev.headstart.controller.informers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    SlimItemStore(Class<T> type, KubernetesSerialization serialization, List<String> fields) {
        this.reduced = new ReducedStateItemStore<>(ReducedStateItemStore.NAME_KEY_STATE, type, serialization,
                fields.toArray(String[]::new));
    }

    @Override
    public String getKey(T obj) {
        return reduced.getKey(obj);
    }

    @Override
    public T put(String key, T obj) {
        return reduced.put(key, withoutLastApplied(obj));
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
