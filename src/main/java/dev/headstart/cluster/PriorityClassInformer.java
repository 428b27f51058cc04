package dev.headstart.cluster;

import dev.headstart.config.HeadstartConfig;
import dev.headstart.rules.PriorityClassCatalog;
import dev.headstart.rules.PriorityClassSpec;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

import java.util.Optional;

/**
 * PriorityClasses from an informer cache, so the priority-class rule reads the class's real value
 * without an API call per admission. Started without blocking; readiness waits for its first sync,
 * and until then the catalog is not {@link #ready()}: the rule says so instead of "does not exist".
 */
@Singleton
public class PriorityClassInformer implements PriorityClassCatalog {

    private final Instance<KubernetesClient> client;
    private final WebhookCache<PriorityClass> cache;
    private final CachedPriorityClasses catalog;

    public PriorityClassInformer(ClusterAccess cluster, Instance<KubernetesClient> client, HeadstartConfig config) {
        this.client = client;
        this.cache = new WebhookCache<>("PriorityClass", cluster, !config.isController());
        this.catalog = new CachedPriorityClasses(cache::synced, cache::get, cache::list);
    }

    void start(@Observes StartupEvent event) {
        cache.start(() -> client.get().scheduling().v1().priorityClasses().runnableInformer(0),
                () -> client.get().getMasterUrl().toString());
    }

    void stop(@Observes ShutdownEvent event) {
        cache.stop();
    }

    /** True when there is nothing to wait for, or the cache holds the cluster's classes. */
    public boolean synced() {
        return cache.synced();
    }

    /** Only a synced cache may say that a class does not exist. */
    @Override
    public boolean ready() {
        return catalog.ready();
    }

    @Override
    public Optional<PriorityClassSpec> find(String name) {
        return catalog.find(name);
    }

    /** As the Priority plugin picks it: a {@code globalDefault} class, the lowest value when several are. */
    @Override
    public Optional<NamedPriorityClass> globalDefault() {
        return catalog.globalDefault();
    }
}
