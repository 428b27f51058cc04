package dev.headstart.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.jboss.logging.Logger;

import java.util.function.Supplier;

/**
 * The lifecycle of one informer cache the webhook reads on its request path: started without
 * blocking when there is a cluster and this is the webhook role, synced before readiness, closed
 * on shutdown. With no cluster (or in the controller role) it is empty and counts as synced.
 */
final class WebhookCache<T extends HasMetadata> {

    private static final Logger LOG = Logger.getLogger(WebhookCache.class);

    private final String what;
    private final boolean wanted;
    private volatile SharedIndexInformer<T> informer;

    WebhookCache(String what, ClusterAccess cluster, boolean webhookRole) {
        this.what = what;
        this.wanted = cluster.enabled() && webhookRole;
    }

    /** Creates (and so touches the client) only when the cache is wanted. */
    void start(Supplier<SharedIndexInformer<T>> create) {
        if (!wanted) {
            return;
        }
        informer = create.get();
        informer.start().whenComplete((ignored, error) -> {
            if (error != null) {
                LOG.warnf("%s informer did not start: %s", what, error.toString());
            }
        });
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
}
