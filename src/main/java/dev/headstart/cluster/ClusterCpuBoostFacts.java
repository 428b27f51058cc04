package dev.headstart.cluster;

import dev.headstart.rules.CpuBoostFacts;
import dev.headstart.rules.CpuLimitRange;
import dev.headstart.rules.CpuQuota;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Optional;

/** The cpu-boost rule's view of a cluster: the webhook's caches and its own discovery of pods/resize. */
@Singleton
public class ClusterCpuBoostFacts implements CpuBoostFacts {

    private final NamespaceInformer namespaces;
    private final LimitRangeInformer limitRanges;
    private final ResourceQuotaInformer quotas;
    private final ResizeDiscovery resize;

    public ClusterCpuBoostFacts(NamespaceInformer namespaces, LimitRangeInformer limitRanges, ResourceQuotaInformer quotas,
            ResizeDiscovery resize) {
        this.namespaces = namespaces;
        this.limitRanges = limitRanges;
        this.quotas = quotas;
        this.resize = resize;
    }

    @Override
    public boolean ready() {
        return namespaces.synced() && limitRanges.synced() && quotas.synced();
    }

    @Override
    public Optional<String> resizeUnavailable() {
        return resize.unavailable();
    }

    @Override
    public Optional<String> namespaceLabel(String namespace, String key) {
        return namespaces.label(namespace, key);
    }

    @Override
    public List<CpuLimitRange> limitRanges(String namespace) {
        return limitRanges.cpuLimits(namespace);
    }

    @Override
    public List<CpuQuota> quotas(String namespace) {
        return quotas.cpuLimitQuotas(namespace);
    }
}
