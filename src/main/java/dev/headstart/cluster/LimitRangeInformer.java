package dev.headstart.cluster;

import dev.headstart.config.HeadstartConfig;
import dev.headstart.rules.CpuLimitRange;
import dev.headstart.rules.CpuQuantity;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeItem;
import io.fabric8.kubernetes.api.model.Quantity;
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
 * LimitRanges from an informer cache, for the cpu-boost rule: LimitRanger runs after the webhook
 * and would put a removed limit back or refuse a raised one. Kept only in the webhook role and
 * only while {@code headstart.cpu-boost.enabled}.
 */
@Singleton
public class LimitRangeInformer {

    private final Instance<KubernetesClient> client;
    private final WebhookCache<LimitRange> cache;

    public LimitRangeInformer(ClusterAccess cluster, Instance<KubernetesClient> client, HeadstartConfig config) {
        this.client = client;
        this.cache = new WebhookCache<>("LimitRange", cluster, !config.isController() && config.cpuBoost().enabled());
    }

    void start(@Observes StartupEvent event) {
        cache.start(() -> client.get().limitRanges().inAnyNamespace().runnableInformer(0),
                () -> client.get().getMasterUrl().toString());
    }

    void stop(@Observes ShutdownEvent event) {
        cache.stop();
    }

    public boolean synced() {
        return cache.synced();
    }

    /** What the namespace's LimitRanges say about CPU, one entry per item that names CPU. */
    public List<CpuLimitRange> cpuLimits(String namespace) {
        return cpuLimits(cache.inNamespace(namespace));
    }

    static List<CpuLimitRange> cpuLimits(List<LimitRange> ranges) {
        List<CpuLimitRange> items = new ArrayList<>();
        for (LimitRange range : ranges) {
            if (range.getSpec() == null || range.getSpec().getLimits() == null) {
                continue;
            }
            for (LimitRangeItem item : range.getSpec().getLimits()) {
                Long dflt = cpu(item.getDefault());
                Long max = cpu(item.getMax());
                Long ratio = cpu(item.getMaxLimitRequestRatio());
                if (dflt != null || max != null || ratio != null) {
                    items.add(new CpuLimitRange(range.getMetadata().getName(), item.getType(), dflt, max, ratio));
                }
            }
        }
        return items;
    }

    private static Long cpu(Map<String, Quantity> list) {
        Quantity q = list == null ? null : list.get("cpu");
        if (q == null) {
            return null;
        }
        var millis = CpuQuantity.millis(q.toString());
        return millis.isPresent() ? millis.getAsLong() : null;
    }
}
