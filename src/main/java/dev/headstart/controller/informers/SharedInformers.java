package dev.headstart.controller.informers;

import dev.headstart.config.HeadstartConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The controller's informers, one per {@link CachedKind}, shared by every reconciler that reads
 * that kind (controller-runtime's one cache per kind, many controllers reading it). An informer
 * starts with its first subscriber and stops with its last, so a standby replica holds no cache.
 *
 * <p>Each store keeps only the fields its kind lists ({@link SlimItemStore}). Initial lists are
 * paged ({@code limit}/{@code continue}; big kinds in smaller pages, {@link CachedKind#listPageSize()})
 * and run one at a time, in {@link CachedKind#startOrder()}
 * order (nodes first: headroom needs them), so neither their response buffers nor their decoding
 * peaks add up. A list or watch that fails is retried with fabric8's backoff for as long as the
 * informer has subscribers; after {@link #START_TIMEOUT} the next informer starts regardless.
 */
@Singleton
public class SharedInformers {

    private static final Logger LOG = Logger.getLogger(SharedInformers.class);
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration GATHER = Duration.ofMillis(50);
    private static final Comparator<Shared<?>> START_ORDER = Comparator
            .comparingInt((Shared<?> s) -> s.kind.startOrder()).thenComparingLong(s -> s.sequence);

    private final Supplier<KubernetesClient> client;
    private final long pageSize;
    private final AtomicLong sequence = new AtomicLong();
    /** Guarded by this. */
    private final Map<String, Shared<?>> informers = new HashMap<>();
    /** Guarded by this. */
    private final PriorityQueue<Shared<?>> waiting = new PriorityQueue<>(START_ORDER);
    /** The informer whose initial list is running; guarded by this. */
    private Shared<?> starting;

    /** One informer of a kind, its subscribers and its start. */
    static final class Shared<T extends HasMetadata> {
        final CachedKind<T> kind;
        final SharedIndexInformer<T> informer;
        /** Null for a kind with a store of its own ({@link CachedKind#store()}). */
        final SlimItemStore<T> store;
        final CompletableFuture<Void> started = new CompletableFuture<>();
        final long sequence;
        int subscribers;
        boolean closed;

        Shared(CachedKind<T> kind, SharedIndexInformer<T> informer, SlimItemStore<T> store, long sequence) {
            this.kind = kind;
            this.informer = informer;
            this.store = store;
            this.sequence = sequence;
        }
    }

    @Inject
    public SharedInformers(Instance<KubernetesClient> client, HeadstartConfig config) {
        this(client::get, config.controller().listPageSize());
    }

    public SharedInformers(Supplier<KubernetesClient> client, long pageSize) {
        this.client = client;
        this.pageSize = Math.max(1, pageSize);
    }

    /**
     * Adds a handler to the kind's shared informer, creating and queueing it for start when it is
     * the first. A handler added to a running informer first gets an add for every cached object.
     */
    public synchronized <T extends HasMetadata> Subscription<T> subscribe(CachedKind<T> kind,
            ResourceEventHandler<? super T> handler) {
        @SuppressWarnings("unchecked")
        Shared<T> shared = (Shared<T>) informers.get(kind.name());
        if (shared == null) {
            shared = create(kind);
            informers.put(kind.name(), shared);
            waiting.add(shared);
        }
        shared.subscribers++;
        shared.informer.addEventHandler(handler);
        Shared<T> subscribed = shared;
        // The leader's tasks subscribe within milliseconds of each other: gather them first, so the
        // start order, not the order of the tasks, decides which list runs first.
        CompletableFuture.delayedExecutor(GATHER.toMillis(), TimeUnit.MILLISECONDS).execute(this::startNext);
        return new Subscription<>(shared, () -> unsubscribe(subscribed, handler));
    }

    /** Names of the informers that exist now (started or waiting to), for logs and tests. */
    public synchronized List<String> active() {
        return new ArrayList<>(new TreeSet<>(informers.keySet()));
    }

    private <T extends HasMetadata> Shared<T> create(CachedKind<T> kind) {
        KubernetesClient kube = client.get();
        SharedIndexInformer<T> informer = kind.source().apply(kube).withLimit(pageSize(kind)).runnableInformer(0);
        SlimItemStore<T> store = null;
        if (kind.store() != null) {
            informer.itemStore(kind.store().get());
        } else {
            store = new SlimItemStore<>(kind.type(), kube.getKubernetesSerialization(),
                    kind.storedFields(), kind.keptAnnotations(), kind.trim());
            store.watching(informer::isWatching);
            informer.itemStore(store);
        }
        // fabric8 indexes every object by namespace (~40 bytes each: 6 MiB at 150,000 pods); only
        // per-namespace informers are read by namespace, and their keys say it (Subscription.inNamespace).
        informer.removeNamespaceIndex();
        if (!kind.indexers().isEmpty()) {
            informer.addIndexers(kind.indexers());
        }
        Shared<T> shared = new Shared<>(kind, informer, store, sequence.incrementAndGet());
        // Keep listing and watching through API errors (403 while RBAC catches up, 5xx, timeouts).
        informer.exceptionHandler((isStarted, error) -> {
            if (shared.store != null) {
                shared.store.listFailed(); // a list follows; what this one stored proves nothing about it
            }
            boolean retry = !shared.closed;
            if (retry) {
                LOG.warnf("%s informer: %s; retrying", kind.name(), error.toString());
            }
            if (!isStarted) {
                // A kind that cannot list (403 until RBAC catches up, 404, 5xx) lists nothing into
                // memory: the next kind starts now instead of after START_TIMEOUT, and this one retries.
                finishedStarting(shared);
            }
            return retry;
        });
        return shared;
    }

    /** The kind's own page size when smaller than the configured one. */
    long pageSize(CachedKind<?> kind) {
        return kind.listPageSize() > 0 ? Math.min(kind.listPageSize(), pageSize) : pageSize;
    }

    private synchronized <T extends HasMetadata> void unsubscribe(Shared<T> shared, ResourceEventHandler<? super T> handler) {
        shared.informer.removeEventHandler(handler);
        if (--shared.subscribers > 0) {
            return;
        }
        shared.closed = true;
        informers.remove(shared.kind.name(), shared);
        waiting.remove(shared);
        try {
            shared.informer.close();
        } catch (RuntimeException e) {
            LOG.debugf("closing the %s informer: %s", shared.kind.name(), e.toString());
        }
        shared.started.completeExceptionally(new IllegalStateException(shared.kind.name() + " informer closed"));
        if (starting == shared) {
            starting = null;
            startNext();
        }
    }

    /** Starts the next waiting informer when none is listing. */
    private synchronized void startNext() {
        if (starting != null) {
            return;
        }
        Shared<?> next = waiting.poll();
        if (next == null) {
            return;
        }
        starting = next;
        long began = System.nanoTime();
        CompletableFuture<Void> listed = next.informer.start().toCompletableFuture();
        listed.copy().orTimeout(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ignored, error) -> {
            if (error == null) {
                // One line per cluster-wide informer; the per-namespace ones (possibly many) at debug.
                LOG.logf(next.kind.name().contains("@") ? Logger.Level.DEBUG : Logger.Level.INFO,
                        "%s informer synced in %d ms (%d objects)", next.kind.name(),
                        (System.nanoTime() - began) / 1_000_000, next.informer.getStore().listKeys().size());
            } else if (!next.closed) {
                LOG.warnf("%s informer not synced after %d ms (%s); starting the next one", next.kind.name(),
                        (System.nanoTime() - began) / 1_000_000, error.toString());
            }
            finishedStarting(next);
        });
        listed.whenComplete((ignored, error) -> {
            if (error == null) {
                next.started.complete(null);
            } else {
                next.started.completeExceptionally(error);
            }
        });
    }

    private synchronized void finishedStarting(Shared<?> shared) {
        if (starting == shared) {
            starting = null;
            startNext();
        }
    }
}
