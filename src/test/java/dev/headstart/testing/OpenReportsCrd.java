package dev.headstart.testing;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;

/**
 * The OpenReports {@code Report} CRD (openreports.io/v1alpha1, namespaced, plural {@code reports}) as
 * Kyverno 1.15 installs it, schema left open: what the mock server needs to store Reports.
 */
public final class OpenReportsCrd {

    private OpenReportsCrd() {
    }

    public static CustomResourceDefinition definition() {
        return new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("reports.openreports.io").endMetadata()
                .withNewSpec().withGroup("openreports.io").withScope("Namespaced")
                    .withNewNames().withKind("Report").withListKind("ReportList").withPlural("reports")
                        .withSingular("report").withShortNames("reps").endNames()
                    .addNewVersion().withName("v1alpha1").withServed(true).withStorage(true)
                        .withNewSchema().withNewOpenAPIV3Schema().withType("object")
                            .withXKubernetesPreserveUnknownFields(true).endOpenAPIV3Schema().endSchema()
                    .endVersion()
                .endSpec().build();
    }
}
