package dev.headstart.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.json.Json;
import dev.headstart.rules.CpuBoostRecord;
import dev.headstart.testing.Reviews;
import dev.headstart.testing.WebhookClient;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook with a cluster and cpu-boost on: it reads the namespace's opt-in label, its
 * LimitRanges and ResourceQuotas from its informers, and discovers pods/resize itself (re-checked:
 * the mock serves the discovery document only after start-up, as after an upgrade).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(ClusterCpuBoostTest.WithCpuBoost.class)
class ClusterCpuBoostTest {

    public static class WithCpuBoost implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("headstart.cluster.enabled", "true", "headstart.cpu-boost.enabled", "true",
                    "headstart.cpu-boost.mode", "multiply", "headstart.cpu-boost.resize-recheck", "1s");
        }
    }

    @KubernetesTestServer
    KubernetesServer server;

    private KubernetesClient client;
    private final WebhookClient webhook = WebhookClient.forTests();

    @BeforeEach
    void fixtures() {
        client = server.getClient();
        server.expect().get().withPath("/api/v1").andReturn(200, new APIResourceListBuilder().withGroupVersion("v1")
                .withResources(new APIResourceBuilder().withName("pods/resize").withNamespaced(true).withKind("Pod").build())
                .build()).always();
    }

    static ObjectNode pod(String namespace) {
        return (ObjectNode) Json.MAPPER.valueToTree(Map.of("apiVersion", "v1", "kind", "Pod",
                "metadata", Map.of("name", "web", "namespace", namespace),
                "spec", Map.of("containers", java.util.List.of(Map.of("name", "app", "image", "registry.example/app@sha256:"
                        + "0".repeat(64), "resources", Map.of("requests", Map.of("cpu", "250m", "memory", "1Gi"),
                        "limits", Map.of("cpu", "500m", "memory", "1Gi")))))));
    }

    private JsonNode mutateUntil(ObjectNode pod, Predicate<JsonNode> done) throws InterruptedException {
        JsonNode answer = null;
        // Until the webhook's informers have the change: up to 30 s (100 tries of 100 ms plus their
        // round trips was ~10 s, short for a loaded CI host).
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            answer = webhook.review("/mutate", Reviews.bytes(Reviews.review("CREATE", pod)));
            if (done.test(answer)) {
                return answer;
            }
            Thread.sleep(100);
        }
        return answer;
    }

    private static JsonNode mutated(JsonNode answer, ObjectNode pod) {
        JsonNode patch = Reviews.patchOf(answer);
        return patch == null ? pod : Reviews.applyStrictly(patch, pod);
    }

    private static String cpuLimit(JsonNode answer, ObjectNode pod) {
        return mutated(answer, pod).at("/spec/containers/0/resources/limits/cpu").asText();
    }

    @Test
    void boostsAsFarAsTheNamespacesLimitRangeAllowsAndNotUnderAQuotaOnLimitsCpu() throws Exception {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("boosted")
                .addToLabels("headstart.dev/cpu-boost", "enabled").endMetadata().build()).create();
        // As the API server stores it: its max made the default (SetDefaults_LimitRangeItem).
        client.limitRanges().inNamespace("boosted").resource(new LimitRangeBuilder().withNewMetadata().withName("lr")
                .endMetadata().withNewSpec().addNewLimit().withType("Container")
                .addToMax("cpu", new Quantity("1500m")).addToDefault("cpu", new Quantity("1500m"))
                .endLimit().endSpec().build()).create();
        ObjectNode pod = pod("boosted");
        JsonNode answer = mutateUntil(pod, a -> cpuLimit(a, pod).equals("1500m"));
        assertThat(cpuLimit(answer, pod)).isEqualTo("1500m");
        assertThat(mutated(answer, pod).at("/metadata/annotations").path(CpuBoostRecord.ANNOTATION).asText())
                .isEqualTo("app=500m");

        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("quota")
                .addToLabels("headstart.dev/cpu-boost", "enabled").endMetadata().build()).create();
        client.resourceQuotas().inNamespace("quota").resource(new ResourceQuotaBuilder().withNewMetadata().withName("q")
                .endMetadata().withNewSpec().addToHard("limits.cpu", new Quantity("10")).endSpec().build()).create();
        ObjectNode inQuota = pod("quota");
        JsonNode declined = mutateUntil(inQuota, a -> a.at("/response/warnings").toString().contains("ResourceQuota q"));
        assertThat(cpuLimit(declined, inQuota)).isEqualTo("500m");
        assertThat(declined.at("/response/warnings").toString()).contains("cpu-boost: not boosted: ResourceQuota q tracks limits.cpu");

        ObjectNode elsewhere = pod("default");
        assertThat(cpuLimit(webhook.review("/mutate", Reviews.bytes(Reviews.review("CREATE", elsewhere))), elsewhere))
                .as("a namespace that did not opt in").isEqualTo("500m");
    }
}
