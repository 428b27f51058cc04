package dev.headstart.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.testing.ClusterEnabled;
import dev.headstart.testing.Reviews;
import dev.headstart.testing.WebhookClient;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With a cluster, the priority-class rule reads the class from an informer: its real value and
 * preemption policy go into the pod, and a class that does not exist is not injected.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(ClusterEnabled.class)
class ClusterPriorityClassTest {

    @KubernetesTestServer
    KubernetesServer server;

    /** Fixtures through the mock's own client: the application's client sends the component's User-Agent. */
    private KubernetesClient client;

    @BeforeEach
    void fixtureClient() {
        client = server.getClient();
    }

    private final WebhookClient webhook = WebhookClient.forTests();

    private JsonNode mutateUntil(Predicate<JsonNode> done) throws InterruptedException {
        JsonNode answer = null;
        // Until the webhook's informers have the change: up to 30 s (100 tries of 100 ms plus their
        // round trips was ~10 s, short for a loaded CI host).
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            answer = webhook.review("/mutate", Reviews.bytes(Reviews.review("CREATE", Reviews.object("objects/pod-needs-all.json"))));
            if (done.test(answer)) {
                return answer;
            }
            Thread.sleep(100);
        }
        return answer;
    }

    @Test
    void classValueComesFromTheClusterAndAMissingClassIsNotInjected() throws Exception {
        JsonNode missing = mutateUntil(a -> true);
        JsonNode patch = Reviews.patchOf(missing);
        JsonNode mutated = Reviews.applyStrictly(patch, Reviews.object("objects/pod-needs-all.json"));
        assertThat(mutated.at("/spec/priorityClassName").isMissingNode()).isTrue();
        assertThat(missing.at("/response/warnings/0").asText())
                .isEqualTo("headstart: priority-class: PriorityClass headstart-high does not exist in the cluster; not injected");

        client.scheduling().v1().priorityClasses().resource(new PriorityClassBuilder()
                .withNewMetadata().withName("headstart-high").endMetadata()
                .withValue(4242).withPreemptionPolicy("Never").build()).create();

        JsonNode found = mutateUntil(a -> Reviews.applyStrictly(Reviews.patchOf(a),
                Reviews.object("objects/pod-needs-all.json")).at("/spec/priority").asInt() == 4242);
        JsonNode pod = Reviews.applyStrictly(Reviews.patchOf(found), Reviews.object("objects/pod-needs-all.json"));
        assertThat(pod.at("/spec/priorityClassName").asText()).isEqualTo("headstart-high");
        assertThat(pod.at("/spec/priority").asInt()).isEqualTo(4242);
        assertThat(pod.at("/spec/preemptionPolicy").asText()).isEqualTo("Never");
        assertThat(found.at("/response/warnings").isMissingNode()).isTrue();
    }

    @Test
    void theApplicationsClientIdentifiesAsTheWebhook() {
        // Not a field: an injected client would be mistaken for fixtures (see ApiRequestRecorder).
        KubernetesClient application = io.quarkus.arc.Arc.container().instance(KubernetesClient.class).get();
        String version = ConfigProvider.getConfig().getValue("quarkus.application.version", String.class);
        assertThat(application.getConfiguration().getUserAgent()).isEqualTo("headstart-webhook/" + version);
    }
}
