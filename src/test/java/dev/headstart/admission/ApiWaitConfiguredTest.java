package dev.headstart.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.testing.LogFile;
import dev.headstart.testing.WebhookClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.headstart.testing.Reviews.applyStrictly;
import static dev.headstart.testing.Reviews.bytes;
import static dev.headstart.testing.Reviews.object;
import static dev.headstart.testing.Reviews.patchOf;
import static dev.headstart.testing.Reviews.review;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server configured by an operator: api-wait switched on by naming the DaemonSet and an image
 * from the nodes' own registry, and a misspelt name in headstart.disabled-rules, which the server
 * names in a warning line at start-up.
 */
@QuarkusTest
@TestProfile(ApiWaitConfiguredTest.Configured.class)
class ApiWaitConfiguredTest {

    static final Path LOG = Path.of("target/configured-rules/headstart.log");
    static final String IMAGE = "123456789012.dkr.ecr.us-west-2.amazonaws.com/docker-hub/library/busybox:1.36.1";

    public static class Configured implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return LogFile.writingTo(LOG, Map.of(
                    "headstart.api-wait.daemonsets", "kube-system/aws-node",
                    "headstart.api-wait.image", IMAGE,
                    "headstart.disabled-rules", "kube-proxy-hostname,startup-probes"));
        }
    }

    private final WebhookClient client = WebhookClient.forTests();

    @Test
    void namedDaemonSetGetsTheWaitFirstAsOneAdd() {
        ObjectNode ds = object("objects/daemonset-aws-node.json");
        JsonNode patch = patchOf(client.review("/mutate", bytes(review("CREATE", ds))));
        JsonNode mutated = applyStrictly(patch, ds);
        assertThat(mutated.at("/spec/template/spec/initContainers/0/name").asText()).isEqualTo("headstart-api-wait");
        assertThat(mutated.at("/spec/template/spec/initContainers/0/image").asText()).isEqualTo(IMAGE);
        assertThat(mutated.at("/spec/template/spec/initContainers/1/name").asText()).isEqualTo("aws-vpc-cni-init");
        assertThat(patch).anySatisfy(op -> {
            assertThat(op.path("op").asText()).isEqualTo("add");
            assertThat(op.path("path").asText()).isEqualTo("/spec/template/spec/initContainers/0");
        });
    }

    @Test
    void aMisspeltDisabledRuleIsNamedInALogLineAtStartUp() throws Exception {
        assertThat(Files.readString(LOG)).contains("unknown rule name in headstart.disabled-rules: \"startup-probes\" "
                + "(rules: priority-class, startup-probe, pull-policy, api-wait, kube-proxy-hostname, cpu-boost)");
    }
}
