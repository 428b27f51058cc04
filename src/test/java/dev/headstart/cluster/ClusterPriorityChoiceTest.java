package dev.headstart.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.admission.AdmissionMetrics;
import dev.headstart.admission.RuleEngineProducer;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.controller.informers.SharedInformers;
import dev.headstart.controller.scan.BackgroundScan;
import dev.headstart.controller.scan.ScanSettings;
import dev.headstart.json.Json;
import dev.headstart.report.PolicyReportSink;
import dev.headstart.rules.RuleResult;
import dev.headstart.rules.RuleStatus;
import dev.headstart.testing.ClusterEnabled;
import dev.headstart.testing.ComponentClient;
import dev.headstart.testing.PriorityClasses;
import dev.headstart.testing.Reviews;
import dev.headstart.testing.WebhookClient;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook against the mock server holding a {@code globalDefault} PriorityClass, annotated
 * namespaces, and an API server whose dry-run pods come back with {@code Always} (AlwaysPullImages
 * on): who gets which class, and pull policies left alone; and the controller's background scan,
 * reading the same cluster through its own shared caches, says what {@code /validate} says.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = ClusterPriorityChoiceTest.Cluster.class)
@TestProfile(ClusterEnabled.class)
class ClusterPriorityChoiceTest {

    public static class Cluster implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            // What an API server with AlwaysPullImages answers to the probe's dry-run create.
            server.expect().post().withPath("/api/v1/namespaces/headstart-system/pods?dryRun=All")
                    .andReturn(201, new PodBuilder().withNewMetadata().withName("probe-x")
                            .withNamespace("headstart-system").endMetadata()
                            .withNewSpec().addNewContainer().withName("probe").withImage("registry.k8s.io/pause:3.10")
                            .withImagePullPolicy("Always").endContainer().endSpec().build())
                    .always();
            KubernetesClient client = server.getClient();
            PriorityClasses.create(client, PriorityClasses.headstartHigh(), PriorityClasses.tenantDefault());
            client.scheduling().v1().priorityClasses().resource(new PriorityClassBuilder().withNewMetadata()
                    .withName("team-medium").endMetadata().withValue(5000).withPreemptionPolicy("Never").build()).create();
            // Opted in (the label the install's webhooks and the background scan select on).
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop")
                    .addToLabels("headstart.dev/inject", "enabled").endMetadata().build()).create();
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("batch")
                    .addToLabels("headstart.dev/inject", "enabled")
                    .addToAnnotations("headstart.dev/priority-class", "none").endMetadata().build()).create();
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("medium")
                    .addToLabels("headstart.dev/inject", "enabled")
                    .addToAnnotations("headstart.dev/priority-class", "team-medium").endMetadata().build()).create();
        }
    }

    /** Declared so the RBAC check records what the webhook sends to the mock server. */
    @KubernetesTestServer
    KubernetesServer server;

    private final WebhookClient webhook = WebhookClient.forTests();

    @Inject
    HeadstartConfig config;

    @Inject
    AlwaysPullImagesDetector alwaysPullImages;

    @Inject
    AdmissionMetrics admissionMetrics;

    private static String management(String path) throws Exception {
        int port = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** A pod as the Priority plugin hands it to the webhook under tenant-default, in a namespace. */
    private static ObjectNode podIn(String namespace) {
        ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
        ((ObjectNode) pod.path("metadata")).put("namespace", namespace);
        ((ObjectNode) pod.path("spec")).put("priorityClassName", "tenant-default").put("priority", 100)
                .put("preemptionPolicy", "Never");
        return pod;
    }

    private JsonNode mutated(ObjectNode pod) throws Exception {
        JsonNode answer = webhook.review("/mutate", Reviews.bytes(Reviews.review("CREATE", pod)));
        return Reviews.applyStrictly(Reviews.patchOf(answer), pod);
    }

    private void awaitReady() {
        eventually(Duration.ofSeconds(20), () -> assertThat(management("/q/health/ready")).contains("\"status\": \"UP\""));
    }

    @Test
    void globalDefaultCountsAsNoClassChosen() throws Exception {
        awaitReady();
        JsonNode pod = mutated(podIn("shop"));
        assertThat(pod.at("/spec/priorityClassName").asText()).isEqualTo("headstart-high");
        assertThat(pod.at("/spec/priority").asInt()).isEqualTo(1000000);
        assertThat(pod.at("/spec/preemptionPolicy").asText()).isEqualTo("PreemptLowerPriority");
    }

    @Test
    void alwaysPullImagesOnLeavesPullPoliciesAlone() throws Exception {
        awaitReady();
        JsonNode pod = mutated(podIn("shop"));
        // The received pod says Always on pinned images: pull-policy would have changed them.
        assertThat(pod.at("/spec/containers/0/imagePullPolicy").asText()).isEqualTo("Always");
        assertThat(pod.at("/metadata/annotations/headstart.dev~1applied").asText()).doesNotContain("pull-policy");

        String metrics = management("/q/metrics");
        assertThat(metrics).containsPattern("(?m)^headstart_always_pull_images(\\{[^}]*\\})? 1\\.0$");
        assertThat(management("/q/health/ready")).contains("\"alwaysPullImages\": \"present\"");
    }

    @Test
    void validateAgreesWithMutateOnTheGlobalDefault() throws Exception {
        awaitReady();
        JsonNode answer = webhook.review("/validate", Reviews.bytes(Reviews.review("CREATE", podIn("shop"))));
        assertThat(answer.at("/response/warnings").toString())
                .contains("pod has the cluster's default PriorityClass tenant-default, not headstart-high")
                .doesNotContain("pull-policy");
    }

    @Test
    void namespaceAnnotationChoosesTheClassOrNone() throws Exception {
        awaitReady();
        JsonNode batch = mutated(podIn("batch"));
        assertThat(batch.at("/spec/priorityClassName").asText()).isEqualTo("tenant-default");
        assertThat(batch.at("/spec/priority").asInt()).isEqualTo(100);

        JsonNode medium = mutated(podIn("medium"));
        assertThat(medium.at("/spec/priorityClassName").asText()).isEqualTo("team-medium");
        assertThat(medium.at("/spec/priority").asInt()).isEqualTo(5000);
        assertThat(medium.at("/spec/preemptionPolicy").asText()).isEqualTo("Never");
    }

    @Test
    void theBackgroundScanSaysWhatValidateSays() throws Exception {
        awaitReady();
        KubernetesClient fixtures = server.getClient();
        // As stored after the Priority plugin: tenant-default (the global default) filled in, or chosen.
        Map<String, String> pods = Map.of("shop/filled", "tenant-default", "shop/chosen", "team-medium",
                "batch/filled", "tenant-default", "medium/filled", "tenant-default");
        pods.forEach((key, priorityClass) -> {
            ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
            ((ObjectNode) pod.path("metadata")).put("namespace", key.split("/")[0]).put("name", key.split("/")[1]);
            ObjectNode spec = (ObjectNode) pod.path("spec");
            spec.put("priorityClassName", priorityClass).put("priority", priorityClass.equals("tenant-default") ? 100 : 5000)
                    .put("preemptionPolicy", "Never");
            fixtures.resource(Json.MAPPER.convertValue(pod, Pod.class)).create();
        });

        Map<String, List<RuleResult>> scanned = new ConcurrentHashMap<>();
        PolicyReportSink sink = (workload, results) -> scanned.put(workload.namespace() + "/" + workload.name(), results);
        try (KubernetesClient controller = ComponentClient.of(Component.CONTROLLER, server.getKubernetesMockServer(),
                fixtures)) {
            // The controller's wiring: its shared caches, the engine built as the webhook's is.
            BackgroundScan scan = new BackgroundScan(() -> controller, new SharedInformers(() -> controller, 100),
                    (catalog, namespaces) -> RuleEngineProducer.engine(config, catalog, namespaces, alwaysPullImages,
                            admissionMetrics),
                    () -> Optional.of(sink), new ScanSettings(true, Duration.ofHours(1), Duration.ZERO, 100),
                    new SimpleMeterRegistry());
            try {
                assertThat(scan.scanOnce().skipped()).isFalse();
            } finally {
                scan.stop();
            }
        }

        assertThat(scanned.keySet()).containsAll(pods.keySet());
        for (String key : pods.keySet()) {
            Pod stored = fixtures.pods().inNamespace(key.split("/")[0]).withName(key.split("/")[1]).get();
            ObjectNode review = Reviews.review("CREATE", Json.MAPPER.valueToTree(stored));
            ((ObjectNode) review.path("request")).put("dryRun", true); // no PolicyReport from the webhook here
            List<String> validate = new ArrayList<>();
            webhook.review("/validate", Reviews.bytes(review)).at("/response/warnings")
                    .forEach(w -> validate.add(w.asText()));
            assertThat(warnings(scanned.get(key))).as(key).isEqualTo(validate);
        }
        // Not the same answer for all by accident: the global default, the namespace's none and its class.
        assertThat(warnings(scanned.get("shop/filled")))
                .contains("headstart: priority-class: pod has the cluster's default PriorityClass tenant-default, not headstart-high");
        assertThat(warnings(scanned.get("batch/filled"))).noneMatch(w -> w.contains("priority-class"));
        assertThat(warnings(scanned.get("shop/chosen"))).noneMatch(w -> w.contains("priority-class"));
        assertThat(warnings(scanned.get("medium/filled")))
                .contains("headstart: priority-class: pod has the cluster's default PriorityClass tenant-default, not team-medium");
    }

    /** What /validate answers in audit mode for these verdicts: each finding, then each rule error. */
    private static List<String> warnings(List<RuleResult> results) {
        List<String> warnings = new ArrayList<>();
        results.stream().filter(r -> r.status() == RuleStatus.FAIL)
                .forEach(r -> r.findings().forEach(f -> warnings.add(f.warning())));
        results.stream().filter(r -> r.status() == RuleStatus.ERROR)
                .forEach(r -> warnings.add("headstart: " + r.rule().name() + ": rule failed and was skipped"));
        return warnings;
    }

    @Test
    void podsOfAJobKeepTheDefault() throws Exception {
        awaitReady();
        ObjectNode pod = podIn("shop");
        ((ObjectNode) pod.path("metadata")).putArray("ownerReferences").addObject()
                .put("apiVersion", "batch/v1").put("kind", "Job").put("name", "nightly-2911").put("uid", "u-1")
                .put("controller", true);
        JsonNode mutated = mutated(pod);
        assertThat(mutated.at("/spec/priorityClassName").asText()).isEqualTo("tenant-default");
        assertThat(mutated.at("/spec/priority").asInt()).isEqualTo(100);
    }
}
