package dev.headstart.testing;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;

/**
 * The {@code CapacityBuffer} CRD (autoscaling.x-k8s.io/v1beta1, namespaced, plural {@code capacitybuffers})
 * as cluster-autoscaler ships it, schema left open: what the mock server needs to serve and store
 * CapacityBuffers (its discovery then lists them, as a real API server's does).
 */
public final class CapacityBufferCrd {

    private CapacityBufferCrd() {
    }

    public static CustomResourceDefinition definition() {
        return new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("capacitybuffers.autoscaling.x-k8s.io").endMetadata()
                .withNewSpec().withGroup("autoscaling.x-k8s.io").withScope("Namespaced")
                    .withNewNames().withKind("CapacityBuffer").withListKind("CapacityBufferList")
                        .withPlural("capacitybuffers").withSingular("capacitybuffer").withShortNames("cb").endNames()
                    .addNewVersion().withName("v1beta1").withServed(true).withStorage(true)
                        .withNewSchema().withNewOpenAPIV3Schema().withType("object")
                            .withXKubernetesPreserveUnknownFields(true).endOpenAPIV3Schema().endSchema()
                    .endVersion()
                .endSpec().build();
    }
}
