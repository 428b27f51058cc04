package dev.headstart.cluster;

import dev.headstart.config.HeadstartConfig;
import dev.headstart.rules.NamespaceAnnotations;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

import java.util.Map;
import java.util.Optional;

/**
 * Namespaces from an informer cache, so validating mode reads a namespace's labels (the
 * {@code headstart.dev/mode} override) and the priority-class rule reads a namespace's class choice
 * (the {@code headstart.dev/priority-class} annotation) without an API call per admission. Webhook
 * role only.
 */
@Singleton
public class NamespaceInformer implements NamespaceAnnotations {

    private final Instance<KubernetesClient> client;
    private final WebhookCache<Namespace> cache;
    private final CachedNamespaceAnnotations annotations;

    public NamespaceInformer(ClusterAccess cluster, Instance<KubernetesClient> client, HeadstartConfig config) {
        this.client = client;
        this.cache = new WebhookCache<>("Namespace", cluster, !config.isController());
        this.annotations = new CachedNamespaceAnnotations(cache::synced, cache::get);
    }

    void start(@Observes StartupEvent event) {
        cache.start(() -> client.get().namespaces().runnableInformer(0), () -> client.get().getMasterUrl().toString());
    }

    void stop(@Observes ShutdownEvent event) {
        cache.stop();
    }

    /** True when there is nothing to wait for, or the cache holds the cluster's namespaces. */
    public boolean synced() {
        return cache.synced();
    }

    @Override
    public boolean ready() {
        return annotations.ready();
    }

    /** An annotation of a namespace (the priority-class choice), or empty when either is unknown. */
    @Override
    public Optional<String> annotation(String namespace, String key) {
        return annotations.annotation(namespace, key);
    }

    /** A label of a namespace, or empty when the namespace or the label is unknown. */
    public Optional<String> label(String namespace, String key) {
        Namespace found = cache.get(namespace);
        if (found == null || found.getMetadata() == null) {
            return Optional.empty();
        }
        Map<String, String> labels = found.getMetadata().getLabels();
        return labels == null ? Optional.empty() : Optional.ofNullable(labels.get(key));
    }
}
