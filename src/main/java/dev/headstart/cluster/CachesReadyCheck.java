package dev.headstart.cluster;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the informer caches the rules read from have synced and the AlwaysPullImages probe
 * has answered or failed (immediately with no cluster).
 */
@Readiness
public class CachesReadyCheck implements HealthCheck {

    private final PriorityClassInformer priorityClasses;
    private final NamespaceInformer namespaces;
    private final AlwaysPullImagesDetector alwaysPullImages;

    public CachesReadyCheck(PriorityClassInformer priorityClasses, NamespaceInformer namespaces,
            AlwaysPullImagesDetector alwaysPullImages) {
        this.priorityClasses = priorityClasses;
        this.namespaces = namespaces;
        this.alwaysPullImages = alwaysPullImages;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("informer-caches")
                .status(priorityClasses.synced() && namespaces.synced() && alwaysPullImages.decided())
                .withData("priorityClasses", priorityClasses.synced())
                .withData("namespaces", namespaces.synced())
                .withData("alwaysPullImages", alwaysPullImages.state().name().toLowerCase(java.util.Locale.ROOT))
                .build();
    }
}
