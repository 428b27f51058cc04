package dev.headstart.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.testing.Reviews;
import dev.headstart.testing.WebhookClient;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static dev.headstart.testing.Reviews.applyStrictly;
import static dev.headstart.testing.Reviews.bytes;
import static dev.headstart.testing.Reviews.object;
import static dev.headstart.testing.Reviews.patchOf;
import static dev.headstart.testing.Reviews.review;
import static org.assertj.core.api.Assertions.assertThat;

/** Which requests /mutate patches, and the AdmissionReview protocol details it must honour. */
@QuarkusTest
class MutateProtocolTest {

    private final WebhookClient client = WebhookClient.forTests();

    private JsonNode mutate(ObjectNode review) {
        return client.review("/mutate", bytes(review));
    }

    @Test
    void answersWithTheRequestUidAndApiVersion() {
        ObjectNode r = review("admission.k8s.io/v1beta1", "CREATE", object("objects/pod-needs-all.json"));
        JsonNode answer = mutate(r);
        assertThat(answer.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1beta1");
        assertThat(answer.path("kind").asText()).isEqualTo("AdmissionReview");
        assertThat(answer.at("/response/uid").asText()).isEqualTo(r.at("/request/uid").asText());
        assertThat(answer.at("/response/patchType").asText()).isEqualTo("JSONPatch");
    }

    @Test
    void kubeProxyDaemonSetGetsHostnameOverrideOnCreateAndUpdate() {
        for (String operation : new String[] {"CREATE", "UPDATE"}) {
            ObjectNode ds = object("objects/daemonset-kube-proxy.json");
            JsonNode answer = mutate(review(operation, ds));
            JsonNode mutated = applyStrictly(patchOf(answer), ds);
            JsonNode container = mutated.at("/spec/template/spec/containers/0");
            assertThat(container.path("command").get(3).asText()).isEqualTo("--hostname-override=$(NODE_NAME)");
            assertThat(container.at("/env/0/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("spec.nodeName");
            // An explicit class on the template (system-node-critical) is an explicit choice.
            assertThat(mutated.at("/spec/template/spec/priorityClassName").asText()).isEqualTo("system-node-critical");
            assertThat(mutated.at("/metadata/annotations").path("headstart.dev/applied").asText())
                    .isEqualTo("kube-proxy-hostname");
            assertThat(patchOf(mutate(review(operation, mutated)))).as("idempotent").isNull();
        }
    }

    /** api-wait is inert until configured (ApiWaitConfiguredTest has it configured). */
    @Test
    void awsNodeGetsAStartupProbeAndNoApiWaitByDefault() {
        ObjectNode ds = object("objects/daemonset-aws-node.json");
        JsonNode mutated = applyStrictly(patchOf(mutate(review("CREATE", ds))), ds);
        assertThat(mutated.at("/spec/template/spec/initContainers")).isEqualTo(ds.at("/spec/template/spec/initContainers"));
        assertThat(mutated.at("/spec/template/spec/containers/0/startupProbe/exec/command/0").asText())
                .isEqualTo("/app/grpc-health-probe");
    }

    @Test
    void podUpdatesDeletesSubresourcesAndOtherKindsPassWithoutAPatch() {
        ObjectNode pod = object("objects/pod-needs-all.json");
        for (String operation : new String[] {"UPDATE", "DELETE", "CONNECT"}) {
            JsonNode response = mutate(review(operation, pod)).path("response");
            assertThat(response.path("allowed").asBoolean()).isTrue();
            assertThat(response.has("patch") || response.has("patchType")).as(operation).isFalse();
        }
        ObjectNode ephemeral = review("UPDATE", pod);
        ((ObjectNode) ephemeral.get("request")).put("subResource", "ephemeralcontainers");
        assertThat(mutate(ephemeral).at("/response/patch").isMissingNode()).isTrue();

        ObjectNode deployment = Reviews.object("objects/pod-needs-all.json");
        deployment.put("apiVersion", "apps/v1").put("kind", "Deployment");
        assertThat(mutate(review("CREATE", deployment)).at("/response/patch").isMissingNode()).isTrue();

        ObjectNode delete = review("DELETE", pod);
        ((ObjectNode) delete.get("request")).putNull("object");
        JsonNode response = mutate(delete).path("response");
        assertThat(response.path("allowed").asBoolean()).isTrue();
    }

    @Test
    void skipAnnotationIsHonouredOverHttp() {
        ObjectNode pod = object("objects/pod-needs-all.json");
        ((ObjectNode) pod.at("/metadata/annotations")).put("headstart.dev/skip", "all");
        JsonNode response = mutate(review("CREATE", pod)).path("response");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.has("patch")).isFalse();
    }
}
