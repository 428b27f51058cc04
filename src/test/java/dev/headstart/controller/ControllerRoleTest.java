package dev.headstart.controller;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.json.Json;
import dev.headstart.report.PolicyReportModel;
import dev.headstart.report.PolicyReportWriter;
import dev.headstart.rules.RuleEngine;
import dev.headstart.rules.Workload;
import dev.headstart.testing.PolicyReportCrd;
import dev.headstart.testing.PriorityClasses;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

import static dev.headstart.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

/** The controller role as deployed: CDI wiring, leader election, headroom, metrics on the management port. */
@QuarkusTest
@TestProfile(ControllerRoleTest.ControllerRole.class)
@WithKubernetesTestServer(crud = true, setup = ControllerRoleTest.Cluster.class)
class ControllerRoleTest {

    public static class ControllerRole implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(
                    Map.entry("headstart.role", "controller"),
                    // As deployed: no HTTPS listener, and no certificate mounted (the role needs none).
                    Map.entry("quarkus.http.host-enabled", "false"),
                    Map.entry("headstart.tls.cert", "target/no-such-dir/tls.crt"),
                    Map.entry("headstart.tls.key", "target/no-such-dir/tls.key"),
                    Map.entry("headstart.cluster.enabled", "true"),
                    Map.entry("headstart.controller.identity", "controller-test"),
                    Map.entry("headstart.controller.lease-duration", "3s"),
                    Map.entry("headstart.controller.renew-deadline", "2s"),
                    Map.entry("headstart.controller.retry-period", "200ms"),
                    Map.entry("headstart.headroom.debounce", "100ms"),
                    Map.entry("headstart.headroom.default-params", "{\"linear\":{\"nodesPerReplica\":1}}"),
                    Map.entry("headstart.scan.initial-delay", "0s"),
                    Map.entry("headstart.scan.interval", "1s"));
        }
    }

    /** Before the application starts: the PolicyReport CRD as shipped, and an opted-in namespace with a pod. */
    public static class Cluster implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            KubernetesClient client = server.getClient();
            PolicyReportCrd.install(client);
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("apps")
                    .addToLabels("headstart.dev/inject", "enabled").endMetadata().build()).create();
            client.pods().inNamespace("apps").resource(new PodBuilder().withNewMetadata().withName("web")
                    .withNamespace("apps").endMetadata().withNewSpec().addNewContainer().withName("c")
                    .withImage("app:1.0").endContainer().endSpec().build()).create();
            // What the priority-class rule reads of the cluster: a globalDefault class, the
            // configured class, and a namespace whose pods get no class from Headstart.
            PriorityClasses.create(client, PriorityClasses.tenantDefault(), PriorityClasses.headstartHigh());
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("batch")
                    .addToLabels("headstart.dev/inject", "enabled")
                    .addToAnnotations("headstart.dev/priority-class", "none").endMetadata().build()).create();
            for (String namespace : new String[] {"apps", "batch"}) {
                // As stored after the Priority plugin filled in the global default.
                client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName("filled")
                        .withNamespace(namespace).endMetadata().withNewSpec().withPriorityClassName("tenant-default")
                        .withPriority(100).withPreemptionPolicy("Never").addNewContainer().withName("c")
                        .withImage("app:1.0").endContainer().endSpec().build()).create();
            }
        }
    }


    @KubernetesTestServer
    KubernetesServer server;

    /** Fixtures through the mock's own client: the application's client sends the component's User-Agent. */
    private KubernetesClient client;

    @BeforeEach
    void fixtureClient() {
        client = server.getClient();
    }

    @Inject
    RuleEngine ruleEngine;

    @Test
    void leadsAndKeepsHeadroomSizedToTheNodes() throws Exception {
        await(Duration.ofSeconds(30), "lease held by this replica", () -> {
            Lease lease = client.resources(Lease.class).inNamespace("headstart-system")
                    .withName("headstart-controller").get();
            return lease != null && "controller-test".equals(lease.getSpec().getHolderIdentity());
        });
        for (String name : new String[] {"n1", "n2", "n3"}) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name)
                    .addToLabels("kubernetes.io/os", "linux").endMetadata()
                    .withNewStatus().addToAllocatable("cpu", new Quantity("2"))
                    .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                    .build()).create();
        }
        await(Duration.ofSeconds(30), "headroom Deployment with 3 replicas", () -> {
            Deployment d = client.apps().deployments().inNamespace("headstart-system").withName("headstart-headroom").get();
            return d != null && d.getSpec().getReplicas() == 3;
        });
        String metrics = management("/q/metrics");
        assertThat(metrics).containsPattern("headstart_controller_leader\\{identity=\"controller-test\"} 1\\.0");
        assertThat(metrics).containsPattern("headstart_headroom_replicas\\{pool=\"default\"} 3\\.0");
        assertThat(management("/q/health/ready")).contains("\"status\": \"UP\"");
    }

    @Test
    void theBackgroundScanWritesPolicyReportsFromTheControllerRole() throws Exception {
        String podUid = client.pods().inNamespace("apps").withName("web").get().getMetadata().getUid();
        String name = PolicyReportModel.reportName(podUid);
        await(Duration.ofSeconds(30), "PolicyReport for the pod that existed before Headstart", () ->
                client.genericKubernetesResources(PolicyReportWriter.POLICY_REPORTS).inNamespace("apps")
                        .withName(name).get() != null);
        GenericKubernetesResource report = client.genericKubernetesResources(PolicyReportWriter.POLICY_REPORTS)
                .inNamespace("apps").withName(name).get();
        assertThat(Json.MAPPER.<JsonNode>valueToTree(report).at("/metadata/ownerReferences/0/uid").asText())
                .isEqualTo(podUid);

        // Issue 26: the scan runs every second here, but an unchanged verdict is never written again.
        String version = report.getMetadata().getResourceVersion();
        Thread.sleep(3_000);
        assertThat(client.genericKubernetesResources(PolicyReportWriter.POLICY_REPORTS).inNamespace("apps")
                .withName(name).get().getMetadata().getResourceVersion()).isEqualTo(version);
    }

    /**
     * The controller's scan reads the cluster's classes and the namespaces' choice as the webhook
     * does: a pod with the plugin-filled global default fails priority-class (as /validate says),
     * and passes in a namespace annotated {@code none}. (Before, its catalog was empty: the reverse.)
     */
    @Test
    void theScanJudgesPriorityClassesWithTheWebhooksInputs() {
        assertThat(priorityClassResult("apps")).isEqualTo("fail");
        assertThat(priorityClassResult("batch")).isEqualTo("pass");
    }

    private String priorityClassResult(String namespace) {
        String name = PolicyReportModel.reportName(
                client.pods().inNamespace(namespace).withName("filled").get().getMetadata().getUid());
        await(Duration.ofSeconds(30), "PolicyReport for " + namespace + "/filled", () ->
                client.genericKubernetesResources(PolicyReportWriter.POLICY_REPORTS).inNamespace(namespace)
                        .withName(name).get() != null);
        JsonNode report = Json.MAPPER.valueToTree(client.genericKubernetesResources(PolicyReportWriter.POLICY_REPORTS)
                .inNamespace(namespace).withName(name).get());
        for (JsonNode result : report.path("results")) {
            if (result.path("policy").asText().equals("priority-class")) {
                return result.path("result").asText();
            }
        }
        throw new AssertionError("no priority-class result in " + report);
    }

    @Test
    void theScanHasARuleEngineInTheControllerRole() throws Exception {
        Workload pod = Workload.of(Json.MAPPER.readTree(
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"apps\"},"
                        + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"app:1.0\"}]}}")).orElseThrow();
        assertThat(ruleEngine.evaluate(pod)).extracting(r -> r.rule().name()).contains("priority-class");
    }

    private static String management(String path) throws Exception {
        int port = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void theApplicationsClientIdentifiesAsTheController() {
        // Not a field: an injected client would be mistaken for fixtures (see ApiRequestRecorder).
        KubernetesClient application = io.quarkus.arc.Arc.container().instance(KubernetesClient.class).get();
        String version = ConfigProvider.getConfig().getValue("quarkus.application.version", String.class);
        assertThat(application.getConfiguration().getUserAgent()).isEqualTo("headstart-controller/" + version);
    }
}
