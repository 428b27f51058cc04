package dev.headstart.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.testing.Reviews;
import dev.headstart.testing.WebhookClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** /validate with {@code headstart.validation.mode=enforce}, without a cluster. */
@QuarkusTest
@TestProfile(ValidateEnforceTest.Enforce.class)
class ValidateEnforceTest {

    public static class Enforce implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("headstart.validation.mode", "enforce");
        }
    }

    private final WebhookClient client = WebhookClient.forTests();

    @Test
    void failedRulesAreDeniedWithEachRuleAndItsFix() {
        ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
        JsonNode response = client.review("/validate", Reviews.bytes(Reviews.review("CREATE", pod))).path("response");

        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.path("status").path("code").asInt()).isEqualTo(403);
        assertThat(response.path("status").path("reason").asText()).isEqualTo("Forbidden");
        String message = response.path("status").path("message").asText();
        assertThat(message).startsWith("headstart: denied by ")
                .contains("- priority-class: ", "- startup-probe: container web has a readinessProbe but no startupProbe",
                        "- pull-policy: container web ")
                .contains("(fix: ");
    }

    @Test
    void compliantAndSkippedObjectsAreAllowed() {
        ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
        JsonNode mutated = Reviews.applyStrictly(
                Reviews.patchOf(client.review("/mutate", Reviews.bytes(Reviews.review("CREATE", pod)))), pod);
        JsonNode clean = client.review("/validate", Reviews.bytes(Reviews.review("CREATE", mutated))).path("response");
        assertThat(clean.path("allowed").asBoolean()).isTrue();
        assertThat(clean.has("warnings")).isFalse();

        ((ObjectNode) pod.path("metadata").path("annotations")).put("headstart.dev/skip", "all");
        JsonNode skipped = client.review("/validate", Reviews.bytes(Reviews.review("CREATE", pod))).path("response");
        assertThat(skipped.path("allowed").asBoolean()).isTrue();
    }

    static ObjectNode controller(String apiVersion, String kind) {
        return Reviews.controller(apiVersion, kind);
    }

    private static java.util.List<String> lines(JsonNode response) {
        return java.util.List.of(response.path("status").path("message").asText().split("\n"));
    }

    /** Issue 26, case 2: the person applying a Deployment (or any pod controller) sees the denial. */
    @Test
    void everyPodControllerIsDeniedOnItsTemplateWithThePodsMessage() {
        JsonNode pod = client.review("/validate", Reviews.bytes(Reviews.review("CREATE",
                Reviews.object("objects/pod-needs-all.json")))).path("response");
        java.util.List<String> podLines = lines(pod);
        String[][] kinds = {{"apps/v1", "Deployment"}, {"apps/v1", "StatefulSet"}, {"apps/v1", "DaemonSet"},
            {"apps/v1", "ReplicaSet"}, {"batch/v1", "Job"}, {"batch/v1", "CronJob"}};
        for (String[] kind : kinds) {
            for (String operation : new String[] {"CREATE", "UPDATE"}) {
                JsonNode response = client.review("/validate",
                        Reviews.bytes(Reviews.review(operation, controller(kind[0], kind[1])))).path("response");
                assertThat(response.path("allowed").asBoolean()).as(kind[1] + " " + operation).isFalse();
                assertThat(response.path("status").path("code").asInt()).isEqualTo(403);
                assertThat(lines(response)).as(kind[1]).first().asString().startsWith("headstart: denied by ");
                // Same finding lines as the pod's (Jobs get no priority class, so theirs are fewer).
                // A template's findings name it "pod template" where the pod's say "pod".
                assertThat(lines(response).subList(1, lines(response).size()).stream()
                        .map(l -> l.replace(": pod template ", ": pod ")).toList()).as(kind[1])
                        .isSubsetOf(podLines)
                        .contains(podLines.stream().filter(l -> l.startsWith("- startup-probe: container web "))
                                .findFirst().orElseThrow());
            }
        }
    }

    /** Issue 26, case 2: what a controller made is not denied a second time (its owner was judged). */
    @Test
    void podsAndReplicaSetsMadeByAControllerAreWarnedNotDenied() {
        ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
        pod.with("metadata").putArray("ownerReferences").addObject().put("apiVersion", "apps/v1")
                .put("kind", "ReplicaSet").put("name", "web-7c9d").put("uid", "rs-uid").put("controller", true);
        JsonNode owned = client.review("/validate", Reviews.bytes(Reviews.review("CREATE", pod))).path("response");
        assertThat(owned.path("allowed").asBoolean()).isTrue();
        assertThat(owned.path("warnings")).isNotEmpty();

        ObjectNode replicaSet = controller("apps/v1", "ReplicaSet");
        replicaSet.with("metadata").putArray("ownerReferences").addObject().put("apiVersion", "apps/v1")
                .put("kind", "Deployment").put("name", "web").put("uid", "d-uid").put("controller", true);
        JsonNode rs = client.review("/validate", Reviews.bytes(Reviews.review("CREATE", replicaSet))).path("response");
        assertThat(rs.path("allowed").asBoolean()).isTrue();

        // A non-controller owner (garbage collection only) does not make it a controller's.
        ((ObjectNode) pod.at("/metadata/ownerReferences/0")).put("controller", false);
        JsonNode loose = client.review("/validate", Reviews.bytes(Reviews.review("CREATE", pod))).path("response");
        assertThat(loose.path("allowed").asBoolean()).isFalse();
    }

    /** Issue 26, case 2: an UPDATE that leaves the template as stored (a controller's own write) goes through. */
    @Test
    void anUpdateThatLeavesTheTemplateAloneIsNotDenied() {
        ObjectNode old = controller("apps/v1", "Deployment");
        ObjectNode relabelled = old.deepCopy();
        relabelled.with("metadata").putObject("annotations").put("deployment.kubernetes.io/revision", "2");
        ObjectNode review = Reviews.review("UPDATE", relabelled);
        ((ObjectNode) review.path("request")).set("oldObject", old);
        JsonNode same = client.review("/validate", Reviews.bytes(review)).path("response");
        assertThat(same.path("allowed").asBoolean()).isTrue();
        assertThat(same.path("warnings")).isNotEmpty();

        ObjectNode changed = relabelled.deepCopy();
        ((ObjectNode) changed.at("/spec/template/spec/containers/0")).put("image", "registry.example.com/web:2.0.0");
        ObjectNode review2 = Reviews.review("UPDATE", changed);
        ((ObjectNode) review2.path("request")).set("oldObject", old);
        JsonNode denied = client.review("/validate", Reviews.bytes(review2)).path("response");
        assertThat(denied.path("allowed").asBoolean()).isFalse();
    }
}
