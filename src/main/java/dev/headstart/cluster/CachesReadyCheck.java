package dev.headstart.cluster;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the informer caches the rules read from have synced (immediately with no cluster). */
@Readiness
public class CachesReadyCheck implements HealthCheck {

    private final PriorityClassInformer priorityClasses;

    public CachesReadyCheck(PriorityClassInformer priorityClasses) {
        this.priorityClasses = priorityClasses;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("informer-caches").status(priorityClasses.synced()).build();
    }
}
