package dev.headstart.controller.informers;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * One subscriber's view of a shared informer: reads from the shared cache, and
 * {@link #close()} removes its handler (the informer stops with its last subscriber).
 */
public final class Subscription<T extends HasMetadata> implements AutoCloseable {

    private final SharedInformers.Shared<T> shared;
    private final Runnable unsubscribe;
    private volatile boolean closed;

    Subscription(SharedInformers.Shared<T> shared, Runnable unsubscribe) {
        this.shared = shared;
        this.unsubscribe = unsubscribe;
    }

    /** Completes once the informer has listed and watches (exceptionally if it was closed first). */
    public CompletableFuture<Void> started() {
        return shared.started;
    }

    public boolean hasSynced() {
        return !closed && shared.informer.hasSynced();
    }

    /** The cached object with this key ({@code name} or {@code namespace/name}), or null. */
    public T get(String key) {
        return shared.informer.getStore().getByKey(key);
    }

    /** Every cached object; each is rebuilt from the kept fields, so prefer {@link #byIndex} on big kinds. */
    public List<T> list() {
        return shared.store == null ? shared.informer.getStore().list() : shared.store.all().collect(Collectors.toList());
    }

    /**
     * Every cached object, each rebuilt as the stream reaches it: a reader that keeps only what it
     * needs of each holds one object at a time, where {@link #list()} holds them all.
     */
    public java.util.stream.Stream<T> stream() {
        return shared.store == null ? shared.informer.getStore().list().stream() : shared.store.all();
    }

    public List<String> keys() {
        return shared.informer.getStore().listKeys();
    }

    public List<T> byIndex(String index, String value) {
        return shared.informer.getIndexer().byIndex(index, value);
    }

    /** The cached objects of one namespace, found by their keys ({@code namespace/name}; no index kept). */
    public List<T> inNamespace(String namespace) {
        String prefix = namespace + "/";
        return keys().stream().filter(key -> key.startsWith(prefix)).map(this::get).filter(Objects::nonNull).toList();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            unsubscribe.run();
        }
    }
}
