package dev.headstart.controller;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.json.Json;
import dev.headstart.testing.OpenReportsCrd;
import dev.headstart.report.PolicyReportModel;
import dev.headstart.report.ReportApi;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import static dev.headstart.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 26, case 5, in the controller role: with {@code headstart.validation.reports.api=openreports}
 * the background scan writes an OpenReports {@code Report} for a stored pod, and rewrites that same
 * Report when the pod's verdict changes (the owner opts the pod out of a rule).
 */
@QuarkusTest
@TestProfile(ControllerOpenReportsTest.OpenReportsController.class)
@WithKubernetesTestServer(crud = true, setup = ControllerOpenReportsTest.Cluster.class)
class ControllerOpenReportsTest {

    public static class OpenReportsController implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(new ControllerRoleTest.ControllerRole().getConfigOverrides());
            overrides.put("headstart.validation.reports.api", "openreports");
            return overrides;
        }
    }

    /** The OpenReports CRD, an opted-in namespace and a pod that predates Headstart. */
    public static class Cluster implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            KubernetesClient client = server.getClient();
            client.apiextensions().v1().customResourceDefinitions().resource(OpenReportsCrd.definition()).create();
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("apps")
                    .addToLabels("headstart.dev/inject", "enabled").endMetadata().build()).create();
            client.pods().inNamespace("apps").resource(new PodBuilder().withNewMetadata().withName("web")
                    .withNamespace("apps").endMetadata().withNewSpec().addNewContainer().withName("c")
                    .withImage("registry.example.com/app:1.0").withImagePullPolicy("Always").endContainer()
                    .endSpec().build()).create();
        }
    }

    @KubernetesTestServer
    KubernetesServer server;

    @Test
    void theScanWritesAndUpdatesOpenReports() {
        KubernetesClient client = server.getClient();
        String uid = client.pods().inNamespace("apps").withName("web").get().getMetadata().getUid();
        String name = PolicyReportModel.reportName(uid);
        await(Duration.ofSeconds(20), "an OpenReports Report for apps/web", () ->
                client.genericKubernetesResources(ReportApi.OPENREPORTS.context()).inNamespace("apps")
                        .withName(name).get() != null);
        GenericKubernetesResource first = client.genericKubernetesResources(ReportApi.OPENREPORTS.context())
                .inNamespace("apps").withName(name).get();
        assertThat(first.getApiVersion()).isEqualTo("openreports.io/v1alpha1");
        int failed = Json.MAPPER.<JsonNode>valueToTree(first).at("/summary/fail").asInt();
        assertThat(failed).isPositive();

        client.pods().inNamespace("apps").withName("web").edit(p -> new PodBuilder(p).editMetadata()
                .addToAnnotations("headstart.dev/skip", "all").endMetadata().build());
        await(Duration.ofSeconds(20), "the same Report rewritten with the new verdict", () -> {
            GenericKubernetesResource now = client.genericKubernetesResources(ReportApi.OPENREPORTS.context())
                    .inNamespace("apps").withName(name).get();
            return now != null && !now.getMetadata().getResourceVersion().equals(first.getMetadata().getResourceVersion())
                    && Json.MAPPER.<JsonNode>valueToTree(now).at("/summary/fail").asInt() < failed;
        });
    }
}
