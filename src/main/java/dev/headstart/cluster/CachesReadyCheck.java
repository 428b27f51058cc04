package dev.headstart.cluster;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the informer caches the rules read from have synced and the AlwaysPullImages probe
 * has answered or failed (immediately with no cluster). The LimitRange and ResourceQuota caches
 * count only while cpu-boost is enabled (otherwise they are not kept).
 */
@Readiness
public class CachesReadyCheck implements HealthCheck {

    private final PriorityClassInformer priorityClasses;
    private final NamespaceInformer namespaces;
    private final AlwaysPullImagesDetector alwaysPullImages;
    private final LimitRangeInformer limitRanges;
    private final ResourceQuotaInformer quotas;

    public CachesReadyCheck(PriorityClassInformer priorityClasses, NamespaceInformer namespaces,
            AlwaysPullImagesDetector alwaysPullImages, LimitRangeInformer limitRanges, ResourceQuotaInformer quotas) {
        this.priorityClasses = priorityClasses;
        this.namespaces = namespaces;
        this.alwaysPullImages = alwaysPullImages;
        this.limitRanges = limitRanges;
        this.quotas = quotas;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("informer-caches")
                .status(priorityClasses.synced() && namespaces.synced() && alwaysPullImages.decided()
                        && limitRanges.synced() && quotas.synced())
                .withData("priorityClasses", priorityClasses.synced())
                .withData("namespaces", namespaces.synced())
                .withData("limitRanges", limitRanges.synced())
                .withData("resourceQuotas", quotas.synced())
                .withData("alwaysPullImages", alwaysPullImages.state().name().toLowerCase(java.util.Locale.ROOT))
                .build();
    }
}
