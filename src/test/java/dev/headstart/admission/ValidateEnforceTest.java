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
}
