package dev.headstart.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.json.Json;
import dev.headstart.testing.PolicyReportCrd;
import dev.headstart.testing.PriorityClasses;
import dev.headstart.testing.Reviews;
import dev.headstart.testing.WebhookClient;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
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

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * /validate against the fabric8 mock API server in CRUD mode: PolicyReports appear in the "cluster",
 * named by and owned by their resource's uid, are replaced when the resource changes, are never
 * written for dry runs, and a failing API server neither slows nor changes the admission answer
 * while the write is retried.
 *
 * <p>The mock runs no admission chain, so the tests play kube-apiserver's order
 * ({@code registry/generic/registry/store.go}): the review carries the uid the API server gave the
 * object before calling the webhooks, and the object is stored (or not: denied, AlreadyExists)
 * only after the webhook answered.
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
                    "headstart.validation.reports.admission-delay", "50ms",
                    "headstart.validation.reports.max-backoff", "400ms",
                    // The client's own retry of 5xx would hide the writer's: switch it off to see the writer retry.
                    "quarkus.kubernetes-client.request-retry-backoff-limit", "0");
        }
    }

    /** Before the server starts: the CRD as shipped (so the mock serves the resource) and namespaces. */
    public static class Cluster implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            KubernetesClient client = server.getClient();
            PolicyReportCrd.install(client);
            for (String ns : new String[] {"shop", "dry", "retry", "nocrd", "stored", "same"}) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                        .create();
            }
            PriorityClasses.create(client, PriorityClasses.headstartHigh());
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
        eventually(Duration.ofSeconds(60), () -> webhook.post("/validate", new byte[0]));
    }

    @Test
    void reportIsWrittenOnceThePodIsStoredNamedAndOwnedByItsUid() {
        ObjectNode pod = withUid(podNamed("shop", "web-1"));
        JsonNode answer = webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", pod))).path("response");
        assertThat(answer.path("allowed").asBoolean()).isTrue();
        assertThat(answer.path("warnings")).isNotEmpty();

        // kube-apiserver stores the object after admission, with the uid the review carried.
        Pod stored = store(pod, Pod.class);
        String uid = uid(pod);
        assertThat(stored.getMetadata().getUid()).isEqualTo(uid);

        GenericKubernetesResource report = awaitReport("shop", "headstart-" + uid, r -> true);
        JsonNode tree = Json.MAPPER.valueToTree(report);
        JsonNode owner = tree.at("/metadata/ownerReferences/0");
        assertThat(owner.path("uid").asText()).isEqualTo(uid);
        assertThat(owner.path("kind").asText()).isEqualTo("Pod");
        assertThat(owner.path("apiVersion").asText()).isEqualTo("v1");
        assertThat(owner.path("name").asText()).isEqualTo("web-1");
        assertThat(tree.at("/scope/uid").asText()).isEqualTo(uid);
        assertThat(tree.at("/metadata/labels/headstart.dev~1report").asText()).isEqualTo("rules");
        assertThat(tree.at("/summary/fail").asInt()).isEqualTo(3);
        assertThat(tree.at("/summary/pass").asInt()).isZero();
        assertThat(tree.path("results")).hasSize(3)
                .allSatisfy(r -> assertThat(r.path("source").asText()).isEqualTo("headstart"));

        // Issue 26, case 5: this cluster does not serve openreports.io, so nothing is written there.
        assertThat(tree.path("apiVersion").asText()).isEqualTo("wgpolicyk8s.io/v1alpha2");
        assertThat(client.genericKubernetesResources(ReportApi.OPENREPORTS.context()).inAnyNamespace().list()
                .getItems()).isEmpty();
    }

    /** Issue 26, case 1: a CREATE denied after Headstart allowed it (another webhook, a quota) is never stored. */
    @Test
    void aCreateThatIsNeverStoredGetsNoReport() throws InterruptedException {
        double before = dropped("not-stored");
        ObjectNode pod = withUid(podNamed("shop", "denied-later"));
        JsonNode answer = webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", pod))).path("response");
        assertThat(answer.path("allowed").asBoolean()).isTrue();

        awaitDropped("not-stored", before + 1);
        assertThat(reports("shop")).noneMatch(r -> r.getMetadata().getName().contains(uid(pod))
                || r.getMetadata().getName().contains("denied-later"));
    }

    /**
     * Issue 26, case 1: a CREATE of a name that exists fails with AlreadyExists after the webhooks
     * answered (store.go create: Storage.Create after createValidation). The live object's report
     * keeps its owner and verdict; the failed request's uid gets none.
     */
    @Test
    void anAlreadyExistsCreateNeverReownsTheLiveObjectsReport() throws InterruptedException {
        ObjectNode live = withUid(podNamed("shop", "web-live"));
        webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", live)));
        store(live, Pod.class);
        GenericKubernetesResource first = awaitReport("shop", "headstart-" + uid(live), r -> true);

        double before = dropped("not-stored");
        ObjectNode again = withUid(podNamed("shop", "web-live"));
        ((ObjectNode) again.path("metadata").path("annotations")).put("headstart.dev/skip", "all");
        webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", again)));
        awaitDropped("not-stored", before + 1);

        GenericKubernetesResource now = client.genericKubernetesResources(PolicyReportWriter.POLICY_REPORTS)
                .inNamespace("shop").withName("headstart-" + uid(live)).get();
        assertThat(now.getMetadata().getResourceVersion()).isEqualTo(first.getMetadata().getResourceVersion());
        assertThat(Json.MAPPER.<JsonNode>valueToTree(now).at("/metadata/ownerReferences/0/uid").asText())
                .isEqualTo(uid(live));
        assertThat(summary(now, "fail")).isEqualTo(3);
        assertThat(client.genericKubernetesResources(PolicyReportWriter.POLICY_REPORTS).inNamespace("shop")
                .withName("headstart-" + uid(again)).get()).isNull();
    }

    @Test
    void aDaemonSetReviewedBeforeItIsStoredGetsItsReportOnceItIs() {
        ObjectNode ds = withUid(daemonSetNamed("shop", "collector"));
        JsonNode answer = webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", ds))).path("response");
        assertThat(answer.path("allowed").asBoolean()).isTrue();

        store(ds, DaemonSet.class);

        GenericKubernetesResource report = awaitReport("shop", "headstart-" + uid(ds), r -> true);
        JsonNode owner = Json.MAPPER.<JsonNode>valueToTree(report).at("/metadata/ownerReferences/0");
        assertThat(owner.path("uid").asText()).isEqualTo(uid(ds));
        assertThat(owner.path("kind").asText()).isEqualTo("DaemonSet");
        assertThat(owner.path("apiVersion").asText()).isEqualTo("apps/v1");
    }

    @Test
    void reportIsReplacedWhenTheDaemonSetChanges() {
        ObjectNode ds = withUid(daemonSetNamed("stored", "agent"));
        ds.with("metadata").put("generation", 1);
        DaemonSet stored = store(ds, DaemonSet.class);
        ObjectNode withUid = Json.MAPPER.valueToTree(stored);

        webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", withUid)));
        String name = "headstart-" + uid(ds);
        GenericKubernetesResource first = awaitReport("stored", name, r -> summary(r, "fail") > 0);
        assertThat(summary(first, "fail")).isEqualTo(2);

        // Fixed by the mutating webhook, then updated: BeforeUpdate bumps the generation before the
        // webhooks see it; once stored, the same report now passes.
        JsonNode patch = Reviews.patchOf(webhook.review("/mutate", Reviews.bytes(Reviews.review("UPDATE", withUid))));
        ObjectNode fixed = (ObjectNode) Reviews.applyStrictly(patch, withUid);
        fixed.with("metadata").put("generation", 2);
        JsonNode answer = webhook.review("/validate", Reviews.bytes(Reviews.review("UPDATE", fixed))).path("response");
        assertThat(answer.has("warnings")).isFalse();
        store(fixed, DaemonSet.class);
        GenericKubernetesResource second = awaitReport("stored", name, r -> summary(r, "fail") == 0);
        assertThat(summary(second, "pass")).isEqualTo(3);
        assertThat(Json.MAPPER.<JsonNode>valueToTree(second).at("/metadata/ownerReferences/0/uid").asText())
                .isEqualTo(stored.getMetadata().getUid());
        assertThat(reports("stored")).filteredOn(r -> r.getMetadata().getName().equals(name)).hasSize(1);
    }

    /** Issue 26, case 2: every pod controller validated at admission gets its report once stored. */
    @Test
    void everyPodControllerGetsItsReportOnceStored() {
        String[][] kinds = {{"apps/v1", "Deployment"}, {"apps/v1", "StatefulSet"}, {"apps/v1", "ReplicaSet"},
            {"batch/v1", "Job"}, {"batch/v1", "CronJob"}};
        for (String[] kind : kinds) {
            ObjectNode object = withUid(Reviews.controller(kind[0], kind[1]));
            ((ObjectNode) object.path("metadata")).put("namespace", "stored").put("name", "web-" + kind[1].toLowerCase());
            JsonNode answer = webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", object))).path("response");
            assertThat(answer.path("allowed").asBoolean()).as(kind[1]).isTrue();
            store(object, GenericKubernetesResource.class);
            GenericKubernetesResource report = awaitReport("stored", "headstart-" + uid(object), r -> true);
            assertThat(Json.MAPPER.<JsonNode>valueToTree(report).at("/scope/kind").asText()).isEqualTo(kind[1]);
            assertThat(summary(report, "fail")).as(kind[1]).isPositive();
        }
    }

    /** Issue 26, case 1: an UPDATE denied later (or conflicting) never replaces the stored verdict. */
    @Test
    void aDaemonSetUpdateThatIsNeverStoredKeepsTheStoredVerdict() throws InterruptedException {
        ObjectNode ds = withUid(daemonSetNamed("stored", "never-updated"));
        ds.with("metadata").put("generation", 1);
        ObjectNode stored = Json.MAPPER.valueToTree(store(ds, DaemonSet.class));
        webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", stored)));
        String name = "headstart-" + uid(ds);
        GenericKubernetesResource first = awaitReport("stored", name, r -> summary(r, "fail") > 0);

        double before = dropped("not-stored");
        JsonNode patch = Reviews.patchOf(webhook.review("/mutate", Reviews.bytes(Reviews.review("UPDATE", stored))));
        ObjectNode fixed = (ObjectNode) Reviews.applyStrictly(patch, stored);
        fixed.with("metadata").put("generation", 2);
        webhook.review("/validate", Reviews.bytes(Reviews.review("UPDATE", fixed)));
        awaitDropped("not-stored", before + 1);

        GenericKubernetesResource now = client.genericKubernetesResources(PolicyReportWriter.POLICY_REPORTS)
                .inNamespace("stored").withName(name).get();
        assertThat(summary(now, "fail")).isEqualTo(2);
        assertThat(now.getMetadata().getResourceVersion()).isEqualTo(first.getMetadata().getResourceVersion());
    }

    /** Issue 26, case 1: an unchanged verdict is not written again (an hourly scan reads, never rewrites). */
    @Test
    void anUnchangedVerdictIsNotWrittenAgain() throws InterruptedException {
        ObjectNode pod = withUid(podNamed("same", "steady"));
        store(pod, Pod.class);
        webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", pod)));
        GenericKubernetesResource first = awaitReport("same", "headstart-" + uid(pod), r -> true);

        double unchangedBefore = registry.counter("headstart.reports.unchanged").count();
        webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", pod)));
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (registry.counter("headstart.reports.unchanged").count() < unchangedBefore + 1) {
            assertThat(System.nanoTime()).as("the second verdict counted as unchanged").isLessThan(deadline);
            Thread.sleep(20);
        }
        GenericKubernetesResource now = client.genericKubernetesResources(PolicyReportWriter.POLICY_REPORTS)
                .inNamespace("same").withName("headstart-" + uid(pod)).get();
        assertThat(now.getMetadata().getResourceVersion()).isEqualTo(first.getMetadata().getResourceVersion());
    }

    @Test
    void dryRunsWriteNothing() {
        ObjectNode dry = withUid(podNamed("dry", "dry-run"));
        store(dry, Pod.class);
        ObjectNode review = Reviews.review("CREATE", dry);
        ((ObjectNode) review.path("request")).put("dryRun", true);
        JsonNode answer = webhook.review("/validate", Reviews.bytes(review)).path("response");
        assertThat(answer.path("allowed").asBoolean()).isTrue();
        assertThat(answer.path("warnings")).isNotEmpty();

        // A real request queued after the dry run: once its report is there, the single worker has
        // long passed the point where the dry run's report would have been written.
        ObjectNode wet = withUid(podNamed("dry", "wet"));
        store(wet, Pod.class);
        webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", wet)));
        awaitReport("dry", "headstart-" + uid(wet), r -> true);
        assertThat(client.genericKubernetesResources(PolicyReportWriter.POLICY_REPORTS).inNamespace("dry")
                .withName("headstart-" + uid(dry)).get()).isNull();
    }

    @Test
    void failedWritesAreRetriedAndNeverTouchTheAdmissionAnswer() {
        double failuresBefore = registry.counter("headstart.reports.write.failures").count();
        // The first failure is answered 5 s late (a timer in the mock, its event loop stays free): an
        // answer that waited for even one write would come after that failure was counted. (Not a
        // bound on how long the review took: a loaded host may take over a second for one.)
        String reports = "/apis/wgpolicyk8s.io/v1alpha2/namespaces/retry/policyreports";
        String etcd = "{\"kind\":\"Status\",\"code\":500,\"message\":\"etcd unavailable\"}";
        server.expect().post().delay(5, java.util.concurrent.TimeUnit.SECONDS).withPath(reports).andReturn(500, etcd).once();
        server.expect().post().withPath(reports).andReturn(500, etcd).times(2);
        ObjectNode pod = withUid(podNamed("retry", "flaky"));
        store(pod, Pod.class);

        JsonNode answer = webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", pod))).path("response");
        assertThat(registry.counter("headstart.reports.write.failures").count())
                .as("answered before the first failed write came back").isEqualTo(failuresBefore);
        assertThat(answer.path("allowed").asBoolean()).isTrue();
        assertThat(answer.path("warnings")).isNotEmpty();

        GenericKubernetesResource report = awaitReport("retry", "headstart-" + uid(pod), r -> true);
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
        ObjectNode pod = withUid(podNamed("nocrd", "lonely"));
        store(pod, Pod.class);
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
    void namespaceLabelSwitchesToEnforce() throws InterruptedException {
        ObjectNode denied = withUid(podNamed("strict", "web"));
        JsonNode strict = webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", denied))).path("response");
        assertThat(strict.path("allowed").asBoolean()).isFalse();
        assertThat(strict.path("status").path("code").asInt()).isEqualTo(403);
        assertThat(strict.path("status").path("message").asText()).contains("- startup-probe: container web ");
        // Denied by Headstart itself: never stored, so never even queued for a report.
        Thread.sleep(300);
        assertThat(reports("strict")).isEmpty();

        JsonNode audit = webhook.review("/validate",
                Reviews.bytes(Reviews.review("CREATE", podNamed("shop", "web-audit")))).path("response");
        assertThat(audit.path("allowed").asBoolean()).isTrue();
    }

    /** The uid kube-apiserver gives the object before the validating webhooks see it. */
    private static ObjectNode withUid(ObjectNode object) {
        object.with("metadata").put("uid", UUID.randomUUID().toString());
        return object;
    }

    private static String uid(JsonNode object) {
        return object.path("metadata").path("uid").asText();
    }

    /** What a GET of each stored object answers, by its path: the objects as "kube-apiserver" stored them. */
    private static final Map<String, JsonNode> STORED = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * kube-apiserver storing the reviewed object (after every webhook allowed it), with the uid the
     * review showed. The CRUD mock would give a create its own uid, so a GET of the object is
     * answered from {@link #STORED}, which holds exactly what the test stored last.
     */
    private <T extends HasMetadata> T store(JsonNode object, Class<T> type) {
        JsonNode metadata = object.path("metadata");
        String kind = object.path("kind").asText();
        String apiVersion = object.path("apiVersion").asText();
        String resource = switch (kind) {
            case "Pod" -> "pods";
            case "CronJob" -> "cronjobs";
            default -> kind.toLowerCase(java.util.Locale.ROOT) + "s";
        };
        String path = (apiVersion.equals("v1") ? "/api/v1" : "/apis/" + apiVersion) + "/namespaces/"
                + metadata.path("namespace").asText() + "/" + resource + "/" + metadata.path("name").asText();
        if (STORED.put(path, object.deepCopy()) == null) {
            server.expect().get().withPath(path).andReply(200, request -> STORED.get(path)).always();
        }
        return Json.MAPPER.convertValue(object, type);
    }

    private java.util.List<GenericKubernetesResource> reports(String namespace) {
        return client.genericKubernetesResources(PolicyReportWriter.POLICY_REPORTS).inNamespace(namespace).list()
                .getItems();
    }

    private double dropped(String reason) {
        return registry.counter("headstart.reports.dropped", "reason", reason).count();
    }

    private void awaitDropped(String reason, double atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (dropped(reason) < atLeast) {
            assertThat(System.nanoTime()).as("a report dropped as " + reason).isLessThan(deadline);
            Thread.sleep(20);
        }
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
