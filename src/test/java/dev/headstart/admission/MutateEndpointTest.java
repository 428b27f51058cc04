package dev.headstart.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.testing.Reviews;
import dev.headstart.testing.WebhookClient;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@QuarkusTest
class MutateEndpointTest {

    private final WebhookClient client = WebhookClient.forTests();

    @Test
    void podThatNeedsEveryRuleIsPatchedAndThePatchAppliesStrictly() {
        ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
        JsonNode answer = client.review("/mutate", Reviews.bytes(Reviews.review("CREATE", pod)));

        JsonNode response = answer.path("response");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
        JsonNode patch = Reviews.patchOf(answer);
        assertThat(patch).isNotNull();
        for (JsonNode op : patch) {
            assertThat(op.path("op").asText()).isIn("add", "replace");
        }

        JsonNode mutated = Reviews.applyStrictly(patch, pod);
        assertThat(mutated.at("/spec/priorityClassName").asText()).isEqualTo("headstart-high");
        assertThat(mutated.at("/spec/priority").isInt()).isTrue();
        assertThat(mutated.at("/spec/priority").asInt()).as("headstart-high is 0: preempts placeholders only").isZero();
        // From the liveness handler (tcpSocket), the only one whose failure killed the container before.
        assertThat(mutated.at("/spec/containers/0/startupProbe/tcpSocket/port").asInt()).isEqualTo(8080);
        assertThat(mutated.at("/spec/containers/0/readinessProbe/initialDelaySeconds").asInt()).isZero();
        assertThat(mutated.at("/spec/containers/0/livenessProbe")).isEqualTo(pod.at("/spec/containers/0/livenessProbe"));
        assertThat(mutated.at("/spec/containers/0/imagePullPolicy").asText()).isEqualTo("IfNotPresent");
        assertThat(mutated.at("/metadata/annotations").path("headstart.dev/applied").asText())
                .isEqualTo("priority-class,startup-probe,pull-policy");
        // Unknown fields, empty lists and odd annotation keys survive untouched.
        assertThat(mutated.at("/spec/containers/0/futureField")).isEqualTo(pod.at("/spec/containers/0/futureField"));
        assertThat(mutated.at("/spec/volumes").isArray()).isTrue();
        assertThat(mutated.at("/metadata/annotations").path("example.com/owner~team").asText()).isEqualTo("payments");

        // Idempotent: the webhook's own output draws no patch, and no patchType.
        JsonNode again = client.review("/mutate", Reviews.bytes(Reviews.review("CREATE", mutated))).path("response");
        assertThat(again.path("allowed").asBoolean()).isTrue();
        assertThat(again.has("patch")).isFalse();
        assertThat(again.has("patchType")).isFalse();
    }
}
