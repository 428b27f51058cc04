package dev.headstart.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.json.Json;
import dev.headstart.testing.Reviews;
import dev.headstart.testing.WebhookClient;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * /validate against the fabric8 mock API server in CRUD mode: PolicyReports appear in the "cluster",
 * owned by their resource, are replaced when the resource changes, are never written for dry runs,
 * and a failing API server neither slows nor changes the admission answer while the write is retried.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = PolicyReportWriterTest.Cluster.class)
@TestProfile(PolicyReportWriterTest.WithCluster.class)
class PolicyReportWriterTest {

    public static class WithCluster implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("headstart.cluster.enabled", "true",
                    "headstart.validation.reports.initial-backoff", "50ms",
                    "headstart.validation.reports.max-attempts", "10",
                    // The client's own retry of 5xx would hide the writer's: switch it off to see the writer retry.
                    "quarkus.kubernetes-client.request-retry-backoff-limit", "0");
        }
    }

    /** Before the server starts: the CRD as shipped (so the mock serves the resource) and namespaces. */
    public static class Cluster implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            KubernetesClient client = server.getClient();
            try (InputStream crd = new FileInputStream("manifests/crds/policyreports.wgpolicyk8s.io.yaml")) {
                client.apiextensions().v1().customResourceDefinitions().load(crd).create();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            for (String ns : new String[] {"shop", "dry", "retry", "nocrd"}) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                        .create();
            }
            client.scheduling().v1().priorityClasses().resource(new PriorityClassBuilder().withNewMetadata()
                    .withName("headstart-high").endMetadata().withValue(1000000)
                    .withPreemptionPolicy("PreemptLowerPriority").build()).create();
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("strict")
                    .addToLabels("headstart.dev/mode", "enforce").endMetadata().build()).create();
        }
    }

    @KubernetesTestServer
    KubernetesServer server;

    /** Fixtures through the mock's own client: the application's client sends the webhook's User-Agent. */
    private KubernetesClient client;

    @Inject
    MeterRegistry registry;

    private final WebhookClient webhook = WebhookClient.forTests();

    /** On a loaded build machine the first TLS connection can be slow: wait until the server answers. */
    @org.junit.jupiter.api.BeforeEach
    void serverAnswers() {
        client = server.getClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                webhook.post("/validate", new byte[0]);
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    @Test
    void reportIsWrittenAfterCreateAndOwnedByThePodOnceItExists() {
        ObjectNode pod = podNamed("shop", "web-1");
        JsonNode answer = webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", pod))).path("response");
        assertThat(answer.path("allowed").asBoolean()).isTrue();
        assertThat(answer.path("warnings")).isNotEmpty();

        // The API server persists the object after admission; only then does it have a uid.
        Pod stored = client.pods().inNamespace("shop").resource(Json.MAPPER.convertValue(pod, Pod.class)).create();

        GenericKubernetesResource report = awaitReport("shop", "headstart-pod-web-1", r -> true);
        JsonNode tree = Json.MAPPER.valueToTree(report);
        JsonNode owner = tree.at("/metadata/ownerReferences/0");
        assertThat(owner.path("uid").asText()).isEqualTo(stored.getMetadata().getUid());
        assertThat(owner.path("kind").asText()).isEqualTo("Pod");
        assertThat(owner.path("apiVersion").asText()).isEqualTo("v1");
        assertThat(owner.path("name").asText()).isEqualTo("web-1");
        assertThat(tree.at("/scope/uid").asText()).isEqualTo(stored.getMetadata().getUid());
        assertThat(tree.at("/summary/fail").asInt()).isEqualTo(3);
        assertThat(tree.at("/summary/pass").asInt()).isZero();
        assertThat(tree.path("results")).hasSize(3)
                .allSatisfy(r -> assertThat(r.path("source").asText()).isEqualTo("headstart"));
    }

    @Test
    void aDaemonSetReviewedBeforeItExistsGetsItsReportOwnedOnceItDoes() {
        ObjectNode ds = daemonSetNamed("shop", "collector");
        JsonNode answer = webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", ds))).path("response");
        assertThat(answer.path("allowed").asBoolean()).isTrue();

        DaemonSet stored = client.apps().daemonSets().inNamespace("shop")
                .resource(Json.MAPPER.convertValue(ds, DaemonSet.class)).create();

        GenericKubernetesResource report = awaitReport("shop", "headstart-daemonset-collector", r -> true);
        JsonNode owner = Json.MAPPER.<JsonNode>valueToTree(report).at("/metadata/ownerReferences/0");
        assertThat(owner.path("uid").asText()).isEqualTo(stored.getMetadata().getUid());
        assertThat(owner.path("kind").asText()).isEqualTo("DaemonSet");
        assertThat(owner.path("apiVersion").asText()).isEqualTo("apps/v1");
    }

    @Test
    void reportIsReplacedWhenTheDaemonSetChanges() {
        ObjectNode ds = daemonSetNamed("shop", "agent");
        DaemonSet stored = client.apps().daemonSets().inNamespace("shop")
                .resource(Json.MAPPER.convertValue(ds, DaemonSet.class)).create();
        ObjectNode withUid = Json.MAPPER.valueToTree(stored);

        webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", withUid)));
        GenericKubernetesResource first = awaitReport("shop", "headstart-daemonset-agent",
                r -> summary(r, "fail") > 0);
        assertThat(summary(first, "fail")).isEqualTo(2);

        // Fixed by the mutating webhook, then updated: the same report now passes.
        JsonNode patch = Reviews.patchOf(webhook.review("/mutate", Reviews.bytes(Reviews.review("UPDATE", withUid))));
        JsonNode fixed = Reviews.applyStrictly(patch, withUid);
        JsonNode answer = webhook.review("/validate", Reviews.bytes(Reviews.review("UPDATE", fixed))).path("response");
        assertThat(answer.has("warnings")).isFalse();
        GenericKubernetesResource second = awaitReport("shop", "headstart-daemonset-agent",
                r -> summary(r, "fail") == 0);
        assertThat(summary(second, "pass")).isEqualTo(3);
        assertThat(Json.MAPPER.<JsonNode>valueToTree(second).at("/metadata/ownerReferences/0/uid").asText())
                .isEqualTo(stored.getMetadata().getUid());
        assertThat(client.genericKubernetesResources(PolicyReportWriter.POLICY_REPORTS).inNamespace("shop").list()
                .getItems()).filteredOn(r -> r.getMetadata().getName().equals("headstart-daemonset-agent")).hasSize(1);
    }

    @Test
    void dryRunsWriteNothing() {
        ObjectNode dry = podNamed("dry", "dry-run");
        client.pods().inNamespace("dry").resource(Json.MAPPER.convertValue(dry, Pod.class)).create();
        ObjectNode review = Reviews.review("CREATE", dry);
        ((ObjectNode) review.path("request")).put("dryRun", true);
        JsonNode answer = webhook.review("/validate", Reviews.bytes(review)).path("response");
        assertThat(answer.path("allowed").asBoolean()).isTrue();
        assertThat(answer.path("warnings")).isNotEmpty();

        // A real request queued after the dry run: once its report is there, the single worker has
        // long passed the point where the dry run's report would have been written.
        ObjectNode wet = podNamed("dry", "wet");
        client.pods().inNamespace("dry").resource(Json.MAPPER.convertValue(wet, Pod.class)).create();
        webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", wet)));
        awaitReport("dry", "headstart-pod-wet", r -> true);
        assertThat(client.genericKubernetesResources(PolicyReportWriter.POLICY_REPORTS).inNamespace("dry")
                .withName("headstart-pod-dry-run").get()).isNull();
    }

    @Test
    void failedWritesAreRetriedAndNeverTouchTheAdmissionAnswer() {
        double failuresBefore = registry.counter("headstart.reports.write.failures").count();
        server.expect().post().withPath("/apis/wgpolicyk8s.io/v1alpha2/namespaces/retry/policyreports")
                .andReturn(500, "{\"kind\":\"Status\",\"code\":500,\"message\":\"etcd unavailable\"}").times(3);
        ObjectNode pod = podNamed("retry", "flaky");
        client.pods().inNamespace("retry").resource(Json.MAPPER.convertValue(pod, Pod.class)).create();

        long start = System.nanoTime();
        JsonNode answer = webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", pod))).path("response");
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(answer.path("allowed").asBoolean()).isTrue();
        assertThat(answer.path("warnings")).isNotEmpty();
        assertThat(tookMillis).isLessThan(1000);

        GenericKubernetesResource report = awaitReport("retry", "headstart-pod-flaky", r -> true);
        assertThat(summary(report, "fail")).isEqualTo(3);
        assertThat(registry.counter("headstart.reports.write.failures").count() - failuresBefore)
                .isGreaterThanOrEqualTo(3);
    }

    @Test
    void withoutTheCrdReportsAreDroppedAtOnceNotRetried() throws InterruptedException {
        // The API server answers an unknown resource with a bare 404 page.
        server.expect().post().withPath("/apis/wgpolicyk8s.io/v1alpha2/namespaces/nocrd/policyreports")
                .andReturn(404, "404 page not found").always();
        double failuresBefore = registry.counter("headstart.reports.write.failures").count();
        ObjectNode pod = podNamed("nocrd", "lonely");
        client.pods().inNamespace("nocrd").resource(Json.MAPPER.convertValue(pod, Pod.class)).create();
        JsonNode answer = webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", pod))).path("response");
        assertThat(answer.path("allowed").asBoolean()).isTrue();

        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (registry.counter("headstart.reports.dropped", "reason", "no-crd").count() < 1) {
            assertThat(System.nanoTime()).as("report dropped as no-crd").isLessThan(deadline);
            Thread.sleep(50);
        }
        assertThat(registry.counter("headstart.reports.write.failures").count()).isEqualTo(failuresBefore);
    }

    @Test
    void namespaceLabelSwitchesToEnforce() {
        JsonNode strict = webhook.review("/validate",
                Reviews.bytes(Reviews.review("CREATE", podNamed("strict", "web")))).path("response");
        assertThat(strict.path("allowed").asBoolean()).isFalse();
        assertThat(strict.path("status").path("code").asInt()).isEqualTo(403);
        assertThat(strict.path("status").path("message").asText()).contains("- startup-probe: container web ");

        JsonNode audit = webhook.review("/validate",
                Reviews.bytes(Reviews.review("CREATE", podNamed("shop", "web-audit")))).path("response");
        assertThat(audit.path("allowed").asBoolean()).isTrue();
    }

    private static ObjectNode podNamed(String namespace, String name) {
        ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
        ((ObjectNode) pod.path("metadata")).put("name", name).put("namespace", namespace);
        return pod;
    }

    private static ObjectNode daemonSetNamed(String namespace, String name) {
        ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
        ObjectNode ds = Json.MAPPER.createObjectNode();
        ds.put("apiVersion", "apps/v1").put("kind", "DaemonSet");
        ds.putObject("metadata").put("name", name).put("namespace", namespace);
        ObjectNode spec = ds.putObject("spec");
        spec.putObject("selector").putObject("matchLabels").put("app", name);
        ObjectNode template = spec.putObject("template");
        template.putObject("metadata").putObject("labels").put("app", name);
        ObjectNode podSpec = (ObjectNode) pod.path("spec");
        podSpec.remove("priority");
        ((ObjectNode) podSpec.path("containers").get(0)).put("imagePullPolicy", "IfNotPresent");
        ((ObjectNode) podSpec.path("containers").get(1)).put("imagePullPolicy", "IfNotPresent");
        ((ObjectNode) podSpec.path("initContainers").get(0)).put("imagePullPolicy", "IfNotPresent");
        template.set("spec", podSpec);
        return ds;
    }

    private static int summary(HasMetadata report, String field) {
        return Json.MAPPER.<JsonNode>valueToTree(report).path("summary").path(field).asInt(-1);
    }

    private GenericKubernetesResource awaitReport(String namespace, String name,
            Predicate<GenericKubernetesResource> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        GenericKubernetesResource last = null;
        while (System.nanoTime() < deadline) {
            last = client.genericKubernetesResources(PolicyReportWriter.POLICY_REPORTS).inNamespace(namespace)
                    .withName(name).get();
            if (last != null && condition.test(last)) {
                return last;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no matching PolicyReport " + namespace + "/" + name + "; last seen: " + last);
    }
}
