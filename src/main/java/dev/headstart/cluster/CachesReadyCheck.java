package dev.headstart.cluster;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the informer caches the rules read from have synced (immediately with no cluster). */
@Readiness
public class CachesReadyCheck implements HealthCheck {

    private final PriorityClassInformer priorityClasses;
    private final NamespaceInformer namespaces;

    public CachesReadyCheck(PriorityClassInformer priorityClasses, NamespaceInformer namespaces) {
        this.priorityClasses = priorityClasses;
        this.namespaces = namespaces;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("informer-caches")
                .status(priorityClasses.synced() && namespaces.synced())
                .withData("priorityClasses", priorityClasses.synced())
                .withData("namespaces", namespaces.synced())
                .build();
    }
}
