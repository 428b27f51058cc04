package dev.headstart.cluster;

import dev.headstart.config.HeadstartConfig;
import dev.headstart.rules.PriorityClassCatalog;
import dev.headstart.rules.PriorityClassSpec;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * PriorityClasses from an informer cache, so the priority-class rule reads the class's real value
 * without an API call per admission. Started without blocking; readiness waits for its first sync.
 */
@Singleton
public class PriorityClassInformer implements PriorityClassCatalog {

    private static final Logger LOG = Logger.getLogger(PriorityClassInformer.class);

    private final ClusterAccess cluster;
    private final Instance<KubernetesClient> client;
    private final boolean webhookRole;
    private volatile SharedIndexInformer<PriorityClass> informer;

    public PriorityClassInformer(ClusterAccess cluster, Instance<KubernetesClient> client, HeadstartConfig config) {
        this.cluster = cluster;
        this.client = client;
        this.webhookRole = !config.isController();
    }

    void start(@Observes StartupEvent event) {
        if (!cluster.enabled() || !webhookRole) {
            return;
        }
        informer = client.get().scheduling().v1().priorityClasses().runnableInformer(0);
        informer.start().whenComplete((ignored, error) -> {
            if (error != null) {
                LOG.warnf("PriorityClass informer did not start: %s", error.toString());
            }
        });
    }

    void stop(@Observes ShutdownEvent event) {
        if (informer != null) {
            informer.close();
        }
    }

    /** True when there is nothing to wait for, or the cache holds the cluster's classes. */
    public boolean synced() {
        return !cluster.enabled() || !webhookRole || (informer != null && informer.hasSynced());
    }

    @Override
    public Optional<PriorityClassSpec> find(String name) {
        SharedIndexInformer<PriorityClass> current = informer;
        if (current == null) {
            return Optional.empty();
        }
        PriorityClass found = current.getStore().getByKey(name);
        if (found == null || found.getValue() == null) {
            return Optional.empty();
        }
        return Optional.of(new PriorityClassSpec(found.getValue(), found.getPreemptionPolicy()));
    }
}
