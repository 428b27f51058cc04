package dev.headstart.testing;

import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** The PriorityClasses the cluster tests put in the (mock) cluster. */
public final class PriorityClasses {

    private PriorityClasses() {
    }

    /** The class Headstart's priority-class rule injects, as the example install creates it. */
    public static PriorityClass headstartHigh() {
        return new PriorityClassBuilder().withNewMetadata().withName("headstart-high").endMetadata()
                .withValue(1000000).withPreemptionPolicy("PreemptLowerPriority").build();
    }

    /** A tenant's {@code globalDefault} class, which the Priority plugin gives a pod that names none. */
    public static PriorityClass tenantDefault() {
        return new PriorityClassBuilder().withNewMetadata().withName("tenant-default").endMetadata()
                .withValue(100).withGlobalDefault(true).withPreemptionPolicy("Never").build();
    }

    public static void create(KubernetesClient client, PriorityClass... classes) {
        for (PriorityClass priorityClass : classes) {
            client.scheduling().v1().priorityClasses().resource(priorityClass).create();
        }
    }
}
