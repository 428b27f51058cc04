package dev.headstart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.stream.StreamSupport;

import static dev.headstart.cli.ImagesCommandTest.json;
import static dev.headstart.cli.ImagesCommandTest.node;
import static dev.headstart.cli.ImagesCommandTest.texts;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code headstart images} on src/test/resources/images/scheduler-rules.yaml (issue 20): requests
 * against allocatable, a RuntimeClass read from the dump, spec.os, a cordoned node, a workload at
 * zero that a KEDA ScaledObject scales, and why a node lacks an image.
 */
class ImagesSchedulerRulesTest {

    static final String DUMP = "src/test/resources/images/scheduler-rules.yaml";

    @Test
    void eachNodeHoldsWhatTheSchedulerWouldRunThereAndSaysWhyNot() throws IOException {
        JsonNode plan = json(CliRun.of("images", "-f", DUMP, "-o", "json"));

        assertThat(texts(node(plan, "gpu-1").get("images"))).containsExactly("nvcr.io/nvidia/pytorch:24.05-py3");
        assertThat(texts(node(plan, "cpu-1").get("images"))).containsExactly("acme/worker:2", "nginx:1.27");
        assertThat(texts(node(plan, "drain-1").get("images"))).isEmpty();
        assertThat(texts(node(plan, "sandbox-1").get("images"))).containsExactly("acme/untrusted:1");
        assertThat(texts(plan.at("/notCached/shop~1Deployment~1win")))
                .containsExactly("spec.os.name windows: cache pods run on Linux nodes only");
        // why cpu-1 lacks the GPU image, and drain-1 everything
        assertThat(reason(node(plan, "cpu-1"), "nvcr.io/nvidia/pytorch:24.05-py3", plan)).startsWith("insufficient nvidia.com/gpu");
        assertThat(reason(node(plan, "drain-1"), "nginx:1.27", plan)).isEqualTo("cordoned");
        assertThat(reason(node(plan, "cpu-1"), "acme/untrusted:1", plan)).isEqualTo("nodeSelector sandbox=gvisor not matched (RuntimeClass gvisor)");
        // the worker at zero is scaled by KEDA: ranked above idle
        assertThat(group(plan, "acme/worker:2").get("demand").asText()).isEqualTo("0 running pods, 1 autoscaled from zero, 0 idle");
    }

    @Test
    void theTableSaysWhyANodeLacksAnImageWhenAskedAboutIt() {
        CliRun run = CliRun.of("images", "-f", DUMP, "--node", "cpu-1");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("not cached\n  shop/Deployment/win  spec.os.name windows: cache pods run on Linux nodes only");
        assertThat(run.out()).containsPattern("not here: [0-9a-f]{10} \\(nvcr.io/nvidia/pytorch:24.05-py3\\): insufficient nvidia.com/gpu");
    }

    static JsonNode group(JsonNode plan, String image) {
        return StreamSupport.stream(plan.get("groups").spliterator(), false)
                .filter(g -> texts(g.get("images")).contains(image)).findFirst().orElseThrow();
    }

    static String reason(JsonNode node, String image, JsonNode plan) {
        String id = group(plan, image).get("id").asText();
        return StreamSupport.stream(node.get("notHere").spliterator(), false).filter(l -> l.get("group").asText().equals(id))
                .findFirst().orElseThrow().get("reason").asText();
    }
}
