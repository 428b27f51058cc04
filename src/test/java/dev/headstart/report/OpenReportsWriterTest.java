package dev.headstart.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.json.Json;
import dev.headstart.testing.OpenReportsCrd;
import dev.headstart.testing.PolicyReportCrd;
import dev.headstart.testing.Reviews;
import dev.headstart.testing.WebhookClient;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 26, case 5: on a cluster that serves {@code openreports.io/v1alpha1} (discovery answers
 * with {@code reports}, as kube-apiserver does once the OpenReports CRD is established) and
 * {@code headstart.validation.reports.api=auto}, /validate's verdicts become OpenReports
 * {@code Report}s, the same body plus the report-level {@code source}, and nothing is written to
 * {@code wgpolicyk8s.io}, though its CRD is installed too (Kyverno 1.15 ships both).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OpenReportsWriterTest.Cluster.class)
@TestProfile(OpenReportsWriterTest.WithOpenReports.class)
class OpenReportsWriterTest {

    public static class WithOpenReports implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("headstart.cluster.enabled", "true",
                    "headstart.validation.reports.api", "auto",
                    "headstart.validation.reports.initial-backoff", "50ms",
                    "headstart.validation.reports.admission-delay", "50ms",
                    "headstart.validation.reports.max-backoff", "400ms");
        }
    }

    /** Both CRDs, discovery of openreports.io, and the namespace. */
    public static class Cluster implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            KubernetesClient client = server.getClient();
            PolicyReportCrd.install(client);
            client.apiextensions().v1().customResourceDefinitions().resource(OpenReportsCrd.definition()).create();
            server.expect().get().withPath("/apis/openreports.io/v1alpha1").andReturn(200,
                    new APIResourceListBuilder().withGroupVersion("openreports.io/v1alpha1")
                            .addToResources(new APIResourceBuilder().withName("reports").withKind("Report")
                                    .withNamespaced(true).withVerbs("get", "list", "create", "update", "delete").build())
                            .build()).always();
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata()
                    .build()).create();
        }
    }

    @KubernetesTestServer
    KubernetesServer server;

    private KubernetesClient client;
    private final WebhookClient webhook = WebhookClient.forTests();

    @BeforeEach
    void serverAnswers() {
        client = server.getClient();
        eventually(Duration.ofSeconds(60), () -> webhook.post("/validate", new byte[0]));
    }

    @Test
    void aStoredPodGetsAnOpenReportsReportAndNoPolicyReport() throws InterruptedException {
        ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
        String uid = UUID.randomUUID().toString();
        ((ObjectNode) pod.path("metadata")).put("name", "web-or").put("namespace", "shop").put("uid", uid);
        JsonNode answer = webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", pod))).path("response");
        assertThat(answer.path("allowed").asBoolean()).isTrue();
        // kube-apiserver stores it after admission, with the uid the review carried.
        String path = "/api/v1/namespaces/shop/pods/web-or";
        server.expect().get().withPath(path).andReply(200, request -> pod).always();

        GenericKubernetesResource report = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (report == null && System.nanoTime() < deadline) {
            report = client.genericKubernetesResources(ReportApi.OPENREPORTS.context()).inNamespace("shop")
                    .withName("headstart-" + uid).get();
            Thread.sleep(50);
        }
        assertThat(report).as("an OpenReports Report headstart-" + uid).isNotNull();
        JsonNode tree = Json.MAPPER.valueToTree(report);
        assertThat(tree.path("apiVersion").asText()).isEqualTo("openreports.io/v1alpha1");
        assertThat(tree.path("kind").asText()).isEqualTo("Report");
        assertThat(tree.path("source").asText()).isEqualTo("headstart");
        assertThat(tree.at("/scope/uid").asText()).isEqualTo(uid);
        assertThat(tree.at("/metadata/ownerReferences/0/uid").asText()).isEqualTo(uid);
        assertThat(tree.at("/metadata/labels/headstart.dev~1report").asText()).isEqualTo("rules");
        assertThat(tree.at("/summary/fail").asInt()).isEqualTo(3);
        assertThat(tree.path("results")).hasSize(3).allSatisfy(r -> {
            assertThat(r.path("source").asText()).isEqualTo("headstart");
            assertThat(r.path("policy").asText()).isNotEmpty();
            assertThat(r.path("result").asText()).isIn("pass", "fail", "warn", "error", "skip");
        });
        // The digest covers the apiVersion: it is the OpenReports body's, so an unchanged verdict is not rewritten.
        assertThat(PolicyReportModel.verdictOf(tree)).isEqualTo(PolicyReportModel.verdict(tree));

        assertThat(client.genericKubernetesResources(ReportApi.WGPOLICYK8S.context()).inAnyNamespace().list()
                .getItems()).as("nothing written to wgpolicyk8s.io").isEmpty();
    }

    /** A DaemonSet's verdict that changes (the owner skips pull-policy) updates its Report in place. */
    @Test
    void aChangedVerdictUpdatesTheSameReport() throws InterruptedException {
        ObjectNode daemonSet = Reviews.controller("apps/v1", "DaemonSet");
        String uid = UUID.randomUUID().toString();
        ((ObjectNode) daemonSet.path("metadata")).put("name", "agent-or").put("uid", uid).put("generation", 1);
        java.util.concurrent.atomic.AtomicReference<JsonNode> stored = new java.util.concurrent.atomic.AtomicReference<>(daemonSet);
        server.expect().get().withPath("/apis/apps/v1/namespaces/shop/daemonsets/agent-or")
                .andReply(200, request -> stored.get()).always();
        assertThat(webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", daemonSet)))
                .path("response").path("allowed").asBoolean()).isTrue();
        GenericKubernetesResource report = awaitReport(uid, null);
        int failedBefore = Json.MAPPER.<JsonNode>valueToTree(report).at("/summary/fail").asInt();

        ObjectNode skipped = daemonSet.deepCopy();
        ((ObjectNode) skipped.path("metadata")).putObject("annotations").put("headstart.dev/skip", "pull-policy");
        stored.set(skipped);
        ObjectNode update = Reviews.review("UPDATE", skipped);
        ((ObjectNode) update.path("request")).set("oldObject", daemonSet);
        assertThat(webhook.review("/validate", Reviews.bytes(update)).path("response").path("allowed").asBoolean())
                .isTrue();
        GenericKubernetesResource after = awaitReport(uid, report.getMetadata().getResourceVersion());
        assertThat(Json.MAPPER.<JsonNode>valueToTree(after).at("/summary/fail").asInt()).isLessThan(failedBefore);
    }

    /** The Report named for uid, once it exists with a resourceVersion other than notVersion. */
    private GenericKubernetesResource awaitReport(String uid, String notVersion) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        GenericKubernetesResource report = null;
        while (System.nanoTime() < deadline) {
            report = client.genericKubernetesResources(ReportApi.OPENREPORTS.context()).inNamespace("shop")
                    .withName("headstart-" + uid).get();
            if (report != null && !report.getMetadata().getResourceVersion().equals(notVersion)) {
                return report;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no Report headstart-" + uid + (notVersion == null ? "" : " newer than " + notVersion));
    }
}
