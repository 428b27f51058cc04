package dev.headstart.controller.warmpool;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Node status heartbeats (a new lastHeartbeatTime, a new resourceVersion, nothing else) while a
 * warm node waits: no warm-pool pass, no Auto Scaling call. A change that matters (a taint) still
 * causes one pass with one describe for all tainted nodes.
 */
class WarmPoolHeartbeatTest extends WarmPoolMockClusterTest {

    static final Duration WAIT = Duration.ofSeconds(15);

    static Node warmNode(String name, String id) {
        return new NodeBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withProviderID("aws:///us-east-1a/" + id).withTaints(warmup()).endSpec()
                .withNewStatus()
                    .addToAllocatable("cpu", new Quantity("2"))
                    .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady")
                        .withLastHeartbeatTime("2026-11-27T10:00:00Z").withLastTransitionTime("2026-11-27T09:00:00Z")
                    .endCondition()
                .endStatus()
                .build();
    }

    /** What the kubelet's status update does every few seconds when nothing changed. */
    void heartbeat(String name, Instant at) {
        Node node = client.nodes().withName(name).get();
        for (NodeCondition condition : node.getStatus().getConditions()) {
            condition.setLastHeartbeatTime(at.toString());
        }
        client.nodes().resource(node).updateStatus();
    }

    @Test
    void heartbeatsCauseNoPassAndNoAwsCallButATaintChangeDoes() throws Exception {
        stub.instance("i-0000000000000000a", "workers", "Warmed:Pending:Wait");
        stub.instance("i-0000000000000000b", "workers", "Warmed:Pending:Wait");
        client.nodes().resource(warmNode("warm-a", "i-0000000000000000a")).create();
        client.nodes().resource(warmNode("warm-b", "i-0000000000000000b")).create();
        client.nodes().resource(new NodeBuilder(warmNode("plain", "i-0000000000000000c"))
                .editSpec().withTaints().endSpec().build()).create();
        WarmPoolSettings settings = new WarmPoolSettings(WarmupTaint.parse(WARMUP_TAINT),
                "headstart-warmup", Optional.empty(), Duration.ofHours(1), Duration.ofHours(1));
        // A tick of an hour: after the first pass, only events can cause one.
        start(new WarmPoolReconciler(() -> controller, () -> gateway, settings, Duration.ofHours(1),
                Clock.systemUTC(), new WarmPoolMetrics(registry), true));

        eventually(WAIT, () -> assertThat(stub.requests("DescribeAutoScalingInstances")).hasSize(1));
        // The node events of the initial list (one pass for all of them) have settled.
        Thread.sleep(2 * WarmPoolReconciler.MIN_PASS_SPACING_MILLIS + 500);
        long passes = reconciler.passes();
        int describes = stub.requests("DescribeAutoScalingInstances").size();
        int calls = stub.requests().size();

        Instant now = Instant.parse("2026-11-27T10:00:10Z");
        for (int i = 0; i < 10; i++) {
            for (String name : new String[] {"warm-a", "warm-b", "plain"}) {
                heartbeat(name, now.plusSeconds(10L * i));
            }
        }
        Thread.sleep(2 * WarmPoolReconciler.MIN_PASS_SPACING_MILLIS + 500);

        assertThat(reconciler.passes()).as("passes after 30 heartbeats").isEqualTo(passes);
        assertThat(stub.requests()).as("Auto Scaling calls after 30 heartbeats").hasSize(calls);

        // A taint change is a change that matters: one pass, one describe for both tainted nodes.
        client.nodes().withName("warm-b").edit(n -> new NodeBuilder(n).editSpec()
                .addToTaints(new Taint("NoExecute", "example.com/drain", null, null)).endSpec().build());
        eventually(WAIT, () -> assertThat(stub.requests("DescribeAutoScalingInstances")).hasSize(describes + 1));
        assertThat(stub.requests("DescribeAutoScalingInstances").get(describes))
                .containsEntry("InstanceIds.member.1", "i-0000000000000000a")
                .containsEntry("InstanceIds.member.2", "i-0000000000000000b");
    }
}
