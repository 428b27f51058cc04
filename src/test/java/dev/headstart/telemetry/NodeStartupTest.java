package dev.headstart.telemetry;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.headstart.telemetry.NodePhase.IMAGE_CACHE;
import static dev.headstart.telemetry.NodePhase.READY;
import static dev.headstart.telemetry.NodePhase.WARM_UP;
import static dev.headstart.telemetry.Objects.node;
import static org.assertj.core.api.Assertions.assertThat;

class NodeStartupTest {

    @Test
    void warmNodeWithEveryEnd() {
        NodeStartup node = NodeStartup.of(node("n1", "12:00:00", "12:00:40", "headstart.dev/warm-pool=true",
                "headstart.dev/image-cache-complete=12:01:30", "headstart.dev/warm-up-complete=12:02:00")).orElseThrow();
        assertThat(node.warmPool()).isTrue();
        assertThat(node.phases()).isEqualTo(Map.of(READY, 40.0, IMAGE_CACHE, 90.0, WARM_UP, 120.0));
    }

    @Test
    void coldNodeReadyOnly() {
        NodeStartup node = NodeStartup.of(node("n2", "12:00:00", "12:01:05")).orElseThrow();
        assertThat(node.warmPool()).isFalse();
        assertThat(node.phases()).isEqualTo(Map.of(READY, 65.0));
    }

    @Test
    void warmPoolOnlyWhenTheAnnotationSaysTrue() {
        assertThat(NodeStartup.of(node("n", "12:00:00", "12:00:10", "headstart.dev/warm-pool=false"))
                .orElseThrow().warmPool()).isFalse();
    }

    @Test
    void notReadyNodeHasNoReadyPhase() {
        assertThat(NodeStartup.of(node("n", "12:00:00", null, "headstart.dev/image-cache-complete=12:00:30"))
                .orElseThrow().phases()).isEqualTo(Map.of(IMAGE_CACHE, 30.0));
    }

    @Test
    void theWarmPoolReconcilersCacheAnnotationStandsInForImageCache() {
        assertThat(NodeStartup.of(node("n", "12:00:00", "12:00:10", "headstart.dev/warm-cache-completed-at=12:00:50"))
                .orElseThrow().phases()).isEqualTo(Map.of(READY, 10.0, IMAGE_CACHE, 50.0));
        // the issue's own annotation wins when both are there
        assertThat(NodeStartup.of(node("n", "12:00:00", "12:00:10", "headstart.dev/warm-cache-completed-at=12:00:50",
                "headstart.dev/image-cache-complete=12:00:45")).orElseThrow().phases().get(IMAGE_CACHE)).isEqualTo(45.0);
    }

    @Test
    void endsBeforeCreationAndUnreadableTimesAreLeftOut() {
        assertThat(NodeStartup.of(node("n", "12:00:00", "11:59:59", "headstart.dev/warm-up-complete=not-a-time",
                "headstart.dev/image-cache-complete=12:00:20")).orElseThrow().phases())
                .isEqualTo(Map.of(IMAGE_CACHE, 20.0));
    }
}
