package dev.headstart.cluster;

import dev.headstart.text.OneLine;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ExceptionHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The lifecycle of one informer cache the webhook reads on its request path: started without
 * blocking when there is a cluster and this is the webhook role, synced before readiness, closed
 * on shutdown. With no cluster (or in the controller role) it is empty and counts as synced.
 *
 * <p>An API that cannot be reached is retried for as long as it takes (fabric8's default gives up
 * for good when the first list fails, which left readiness DOWN forever), and said once, on one
 * line naming the API server and where its address came from.
 */
final class WebhookCache<T extends HasMetadata> {

    private static final Logger LOG = Logger.getLogger(WebhookCache.class);

    private final String what;
    private final boolean wanted;
    private final String source;
    private final AtomicBoolean failing = new AtomicBoolean();
    private volatile SharedIndexInformer<T> informer;

    WebhookCache(String what, ClusterAccess cluster, boolean webhookRole) {
        this.what = what;
        this.wanted = cluster.enabled() && webhookRole;
        this.source = cluster.source();
    }

    /**
     * Creates (and so touches the client) only when the cache is wanted.
     *
     * @param apiServer the API server's address, for the log line when it cannot be reached
     */
    void start(Supplier<SharedIndexInformer<T>> create, Supplier<String> apiServer) {
        if (!wanted) {
            return;
        }
        SharedIndexInformer<T> created = create.get();
        String where = apiServer.get() + " (" + source + ")";
        created.exceptionHandler(retryAndSayWhere(where));
        informer = created;
        created.start().whenComplete((ignored, error) -> {
            if (error != null) {
                LOG.warnf("%s cache stopped: %s", what, OneLine.ofRootCause(error));
            } else if (failing.getAndSet(false)) {
                LOG.infof("%s cache synced from the Kubernetes API at %s", what, where);
            }
        });
    }

    private ExceptionHandler retryAndSayWhere(String where) {
        return (started, error) -> {
            if (ExceptionHandler.isDeserializationException(error)) {
                LOG.errorf("%s cache: the Kubernetes API at %s sent what this client cannot read: %s",
                        what, where, OneLine.ofRootCause(error));
                return false;
            }
            if (!failing.getAndSet(true)) {
                LOG.warnf("%s cache: the Kubernetes API at %s cannot be reached: %s; retrying%s", what, where,
                        OneLine.ofRootCause(error), started ? "" : ", readiness stays DOWN until it answers");
            }
            return true;
        };
    }

    void stop() {
        if (informer != null) {
            informer.close();
        }
    }

    boolean synced() {
        return !wanted || (informer != null && informer.hasSynced());
    }

    /** The cached object with this store key (name, or namespace/name), or null. */
    T get(String key) {
        SharedIndexInformer<T> current = informer;
        return current == null || key == null || key.isEmpty() ? null : current.getStore().getByKey(key);
    }

    /** The cached objects of one namespace (the informer's namespace index), empty with no cluster. */
    List<T> inNamespace(String namespace) {
        SharedIndexInformer<T> current = informer;
        return current == null || namespace == null || namespace.isEmpty() ? List.of()
                : current.getIndexer().byIndex(io.fabric8.kubernetes.client.informers.cache.Cache.NAMESPACE_INDEX, namespace);
    }

    /** Every cached object (empty with no cluster). */
    List<T> list() {
        SharedIndexInformer<T> current = informer;
        return current == null ? List.of() : current.getStore().list();
    }
}
