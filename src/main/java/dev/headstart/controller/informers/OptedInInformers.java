package dev.headstart.controller.informers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Kinds watched only in opted-in namespaces: one shared informer per (kind, namespace), started
 * when a namespace enters {@link ControllerKinds#OPTED_IN_NAMESPACES} (label
 * {@code headstart.dev/inject=enabled}) and closed when it leaves it (label removed or changed,
 * namespace deleted). The API server sends an object that stops matching a watch's label selector
 * as DELETED and one that starts matching as ADDED
 * (k8s.io/apiserver/pkg/storage/cacher/cache_watcher.go), so the namespace informer's add and delete
 * events are exactly the opt-in changes. Nothing of the other namespaces is listed or held.
 */
public final class OptedInInformers implements AutoCloseable {

    private final SharedInformers registry;
    private final List<NamespacedKind<?>> kinds;
    private final ResourceEventHandler<HasMetadata> handler;
    private final Consumer<String> namespaceSynced;
    /** Per namespace, its subscriptions in {@link #kinds} order. */
    private final Map<String, List<Subscription<?>>> byNamespace = new ConcurrentHashMap<>();
    private final Subscription<Namespace> namespaces;
    private volatile boolean closed;

    /**
     * @param handler         gets every add, update and delete of the kinds in any opted-in namespace
     * @param namespaceSynced called with a namespace once all its informers have listed (also when
     *                        they hold nothing, which no object event would say)
     */
    public OptedInInformers(SharedInformers registry, List<NamespacedKind<?>> kinds,
            ResourceEventHandler<HasMetadata> handler, Consumer<String> namespaceSynced) {
        this.registry = registry;
        this.kinds = List.copyOf(kinds);
        this.handler = handler;
        this.namespaceSynced = namespaceSynced;
        this.namespaces = registry.subscribe(ControllerKinds.OPTED_IN_NAMESPACES, new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace namespace) {
                follow(namespace.getMetadata().getName());
            }

            @Override
            public void onUpdate(Namespace before, Namespace after) {
                follow(after.getMetadata().getName());
            }

            @Override
            public void onDelete(Namespace namespace, boolean finalStateUnknown) {
                unfollow(namespace.getMetadata().getName());
            }
        });
    }

    /** The opted-in namespaces (the shared namespace informer's view). */
    public Subscription<Namespace> namespaces() {
        return namespaces;
    }

    /** The objects of one kind in one namespace; empty when the namespace is not followed. */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> List<T> inNamespace(NamespacedKind<T> kind, String namespace) {
        List<Subscription<?>> subscriptions = byNamespace.get(namespace);
        int index = kinds.indexOf(kind);
        if (subscriptions == null || index < 0) {
            return List.of();
        }
        return ((Subscription<T>) subscriptions.get(index)).inNamespace(namespace);
    }

    /** True when the namespace is followed and every one of its informers has listed. */
    public boolean synced(String namespace) {
        List<Subscription<?>> subscriptions = byNamespace.get(namespace);
        return namespaces.hasSynced() && subscriptions != null && subscriptions.stream().allMatch(Subscription::hasSynced);
    }

    public Set<String> followed() {
        return new TreeSet<>(byNamespace.keySet());
    }

    private synchronized void follow(String namespace) {
        if (closed || byNamespace.containsKey(namespace)) {
            return;
        }
        List<Subscription<?>> subscriptions = new ArrayList<>();
        for (NamespacedKind<?> kind : kinds) {
            subscriptions.add(registry.subscribe(kind.in(namespace), handler));
        }
        byNamespace.put(namespace, subscriptions);
        CompletableFuture.allOf(subscriptions.stream().map(Subscription::started).toArray(CompletableFuture[]::new))
                .thenRun(() -> {
                    if (byNamespace.get(namespace) == subscriptions) {
                        namespaceSynced.accept(namespace);
                    }
                });
    }

    private synchronized void unfollow(String namespace) {
        List<Subscription<?>> subscriptions = byNamespace.remove(namespace);
        if (subscriptions != null) {
            subscriptions.forEach(Subscription::close);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        namespaces.close();
        byNamespace.keySet().forEach(this::unfollow);
    }
}
