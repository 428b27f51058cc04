package dev.headstart.cluster;

import dev.headstart.config.HeadstartConfig;
import dev.headstart.rules.CpuQuantity;
import dev.headstart.rules.CpuQuota;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ResourceQuotas from an informer cache, for the cpu-boost rule: a quota on {@code limits.cpu}
 * refuses a pod without a CPU limit or over what is left. Kept only in the webhook role and only
 * while {@code headstart.cpu-boost.enabled}.
 */
@Singleton
public class ResourceQuotaInformer {

    static final String LIMITS_CPU = "limits.cpu";

    private final Instance<KubernetesClient> client;
    private final WebhookCache<ResourceQuota> cache;

    public ResourceQuotaInformer(ClusterAccess cluster, Instance<KubernetesClient> client, HeadstartConfig config) {
        this.client = client;
        this.cache = new WebhookCache<>("ResourceQuota", cluster, !config.isController() && config.cpuBoost().enabled());
    }

    void start(@Observes StartupEvent event) {
        cache.start(() -> client.get().resourceQuotas().inAnyNamespace().runnableInformer(0),
                () -> client.get().getMasterUrl().toString());
    }

    void stop(@Observes ShutdownEvent event) {
        cache.stop();
    }

    public boolean synced() {
        return cache.synced();
    }

    /** The namespace's quotas that track limits.cpu (every scope counted: the cautious reading). */
    public List<CpuQuota> cpuLimitQuotas(String namespace) {
        return cpuLimitQuotas(cache.inNamespace(namespace));
    }

    static List<CpuQuota> cpuLimitQuotas(List<ResourceQuota> quotas) {
        List<CpuQuota> result = new ArrayList<>();
        for (ResourceQuota quota : quotas) {
            Long hard = quota.getSpec() == null ? null : millis(quota.getSpec().getHard());
            if (hard == null) {
                continue;
            }
            Long used = quota.getStatus() == null ? null : millis(quota.getStatus().getUsed());
            result.add(new CpuQuota(quota.getMetadata().getName(), hard, used));
        }
        return result;
    }

    private static Long millis(Map<String, Quantity> list) {
        Quantity q = list == null ? null : list.get(LIMITS_CPU);
        if (q == null) {
            return null;
        }
        var millis = CpuQuantity.millis(q.toString());
        return millis.isPresent() ? millis.getAsLong() : null;
    }
}
