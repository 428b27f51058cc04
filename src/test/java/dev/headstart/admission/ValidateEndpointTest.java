package dev.headstart.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.testing.Reviews;
import dev.headstart.testing.WebhookClient;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** /validate in the default audit mode, without a cluster. */
@QuarkusTest
class ValidateEndpointTest {

    private final WebhookClient client = WebhookClient.forTests();

    @Test
    void auditAllowsWithOneWarningPerFailedFinding() {
        ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
        JsonNode response = client.review("/validate", Reviews.bytes(Reviews.review("CREATE", pod))).path("response");

        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.has("patch")).isFalse();
        assertThat(response.has("patchType")).isFalse();
        assertThat(texts(response.path("warnings"))).contains(
                "headstart: startup-probe: container web has a readinessProbe but no startupProbe",
                "headstart: startup-probe: container sidecar has a readinessProbe but no startupProbe")
                .anySatisfy(w -> assertThat(w).startsWith("headstart: priority-class: "))
                .anySatisfy(w -> assertThat(w).startsWith("headstart: pull-policy: container web "))
                .allSatisfy(w -> assertThat(w).startsWith("headstart: "));
    }

    @Test
    void whatTheMutatingWebhookProducedPassesCleanly() {
        ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
        JsonNode mutatedAnswer = client.review("/mutate", Reviews.bytes(Reviews.review("CREATE", pod)));
        JsonNode mutated = Reviews.applyStrictly(Reviews.patchOf(mutatedAnswer), pod);

        JsonNode response = client.review("/validate", Reviews.bytes(Reviews.review("CREATE", mutated))).path("response");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.has("warnings")).isFalse();
        assertThat(response.has("status")).isFalse();
    }

    @Test
    void skipAnnotationSilencesTheRules() {
        ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
        ((ObjectNode) pod.path("metadata").path("annotations")).put("headstart.dev/skip", "all");
        JsonNode response = client.review("/validate", Reviews.bytes(Reviews.review("CREATE", pod))).path("response");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.has("warnings")).isFalse();

        ((ObjectNode) pod.path("metadata").path("annotations")).put("headstart.dev/skip", "startup-probe,pull-policy");
        response = client.review("/validate", Reviews.bytes(Reviews.review("CREATE", pod))).path("response");
        assertThat(texts(response.path("warnings"))).isNotEmpty()
                .allSatisfy(w -> assertThat(w).startsWith("headstart: priority-class: "));
    }

    /** Defect 12 of issue 10: a misspelt name in the skip list skips nothing; the admission warning says so. */
    @Test
    void unknownNamesInTheSkipListAreAnAdmissionWarning() {
        ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
        ((ObjectNode) pod.path("metadata").path("annotations")).put("headstart.dev/skip", "all,startup-probes");
        String expected = "headstart: unknown rule name in headstart.dev/skip: \"startup-probes\" (rules: priority-class, "
                + "startup-probe, pull-policy, api-wait, kube-proxy-hostname, cpu-boost); they skip nothing";
        for (String webhook : new String[] {"/validate", "/mutate"}) {
            JsonNode response = client.review(webhook, Reviews.bytes(Reviews.review("CREATE", pod))).path("response");
            assertThat(response.path("allowed").asBoolean()).isTrue();
            assertThat(response.has("patch")).as(webhook).isFalse();
            assertThat(texts(response.path("warnings"))).as(webhook).containsExactly(expected);
        }
    }

    @Test
    void podCreatesAndPodControllerWritesAreValidated() {
        ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
        JsonNode update = client.review("/validate", Reviews.bytes(Reviews.review("UPDATE", pod))).path("response");
        assertThat(update.path("allowed").asBoolean()).isTrue();
        assertThat(update.has("warnings")).isFalse();

        ObjectNode deployment = (ObjectNode) Reviews.object("objects/pod-needs-all.json").deepCopy();
        ObjectNode wrapped = deployment.objectNode();
        wrapped.put("apiVersion", "apps/v1").put("kind", "Deployment");
        wrapped.putObject("metadata").put("name", "web").put("namespace", "shop");
        wrapped.putObject("spec").putObject("template").set("spec", deployment.path("spec"));
        // Issue 26, case 2: pod controllers are validated on their templates too.
        JsonNode other = client.review("/validate", Reviews.bytes(Reviews.review("CREATE", wrapped))).path("response");
        assertThat(other.path("allowed").asBoolean()).isTrue();
        assertThat(texts(other.path("warnings"))).anySatisfy(w -> assertThat(w).startsWith("headstart: startup-probe: "));

        ObjectNode configMap = wrapped.deepCopy().put("apiVersion", "v1").put("kind", "ConfigMap");
        JsonNode notAWorkload = client.review("/validate", Reviews.bytes(Reviews.review("CREATE", configMap))).path("response");
        assertThat(notAWorkload.path("allowed").asBoolean()).isTrue();
        assertThat(notAWorkload.has("warnings")).isFalse();

        ObjectNode daemonSet = wrapped.deepCopy().put("kind", "DaemonSet");
        JsonNode ds = client.review("/validate", Reviews.bytes(Reviews.review("UPDATE", daemonSet))).path("response");
        assertThat(ds.path("allowed").asBoolean()).isTrue();
        assertThat(texts(ds.path("warnings"))).anySatisfy(w -> assertThat(w).startsWith("headstart: startup-probe: "));
    }

    @Test
    void badInputIsRejectedAsOnMutate() {
        HttpResponse<String> empty = client.post("/validate", new byte[0]);
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(empty.body()).contains("empty body");

        ObjectNode review = Reviews.review("CREATE", Reviews.object("objects/pod-needs-all.json"));
        review.put("apiVersion", "admission.k8s.io/v2");
        HttpResponse<String> wrongVersion = client.post("/validate", Reviews.bytes(review));
        assertThat(wrongVersion.statusCode()).isEqualTo(200);
        assertThat(wrongVersion.body()).contains("\"allowed\":false").contains("\"code\":400");

        HttpResponse<String> notJson = client.post("/validate", "{\"apiVersion\":".getBytes(StandardCharsets.UTF_8));
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).contains("body is truncated JSON (line 1, column 15)");

        HttpResponse<String> garbage = client.post("/validate", "{oops}".getBytes(StandardCharsets.UTF_8));
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(garbage.body()).contains("body is not valid JSON (line 1").doesNotContain("oops");
    }

    static java.util.List<String> texts(JsonNode array) {
        java.util.List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
