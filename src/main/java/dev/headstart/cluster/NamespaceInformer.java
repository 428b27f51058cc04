package dev.headstart.cluster;

import dev.headstart.config.HeadstartConfig;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Optional;

/**
 * Namespaces from an informer cache, so validating mode reads a namespace's labels (the
 * {@code headstart.dev/mode} override) without an API call per admission. Webhook role only.
 */
@Singleton
public class NamespaceInformer {

    private static final Logger LOG = Logger.getLogger(NamespaceInformer.class);

    private final ClusterAccess cluster;
    private final Instance<KubernetesClient> client;
    private final boolean webhookRole;
    private volatile SharedIndexInformer<Namespace> informer;

    public NamespaceInformer(ClusterAccess cluster, Instance<KubernetesClient> client, HeadstartConfig config) {
        this.cluster = cluster;
        this.client = client;
        this.webhookRole = !config.isController();
    }

    void start(@Observes StartupEvent event) {
        if (!cluster.enabled() || !webhookRole) {
            return;
        }
        informer = client.get().namespaces().runnableInformer(0);
        informer.start().whenComplete((ignored, error) -> {
            if (error != null) {
                LOG.warnf("Namespace informer did not start: %s", error.toString());
            }
        });
    }

    void stop(@Observes ShutdownEvent event) {
        if (informer != null) {
            informer.close();
        }
    }

    /** True when there is nothing to wait for, or the cache holds the cluster's namespaces. */
    public boolean synced() {
        return !cluster.enabled() || !webhookRole || (informer != null && informer.hasSynced());
    }

    /** A label of a namespace, or empty when the namespace or the label is unknown. */
    public Optional<String> label(String namespace, String key) {
        SharedIndexInformer<Namespace> current = informer;
        if (current == null || namespace == null || namespace.isEmpty()) {
            return Optional.empty();
        }
        Namespace found = current.getStore().getByKey(namespace);
        if (found == null || found.getMetadata() == null) {
            return Optional.empty();
        }
        Map<String, String> labels = found.getMetadata().getLabels();
        return labels == null ? Optional.empty() : Optional.ofNullable(labels.get(key));
    }
}
