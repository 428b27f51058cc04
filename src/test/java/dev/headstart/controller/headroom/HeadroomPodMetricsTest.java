package dev.headstart.controller.headroom;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.headstart.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 25: {@code headstart_headroom_pending{pool}} and {@code headstart_headroom_preempted_total{pool}}
 * from the pause pods' own state. The mock server runs no scheduler: the pods are written with the
 * status the scheduler gives them (PodScheduled=False/Unschedulable when no node fits; the
 * DisruptionTarget condition it patches onto a victim before deleting it, preemption.go).
 */
class HeadroomPodMetricsTest extends HeadroomMockClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(30); // a loaded CI host can block the mock server for seconds


    @BeforeEach
    void setUp() {
        client.nodes().resource(Nodes.labelled("spot-0", "8", "node-group", "spot")).create();
        params("""
                {"pools":[{"name":"spot","nodeSelector":{"node-group":"spot"},"linear":{"nodesPerReplica":1,"min":3}}]}""");
    }

    private Pod placeholder(String name, String pool, boolean unschedulable) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .withLabels(Map.of("app.kubernetes.io/managed-by", "headstart", "headstart.dev/headroom-pool", pool))
                .endMetadata()
                .withNewSpec().addNewContainer().withName("pause").withImage("registry.k8s.io/pause:3.10").endContainer()
                .endSpec();
        if (unschedulable) {
            pod.withNewStatus().withPhase("Pending").addToConditions(new PodConditionBuilder().withType("PodScheduled")
                    .withStatus("False").withReason("Unschedulable").build()).endStatus();
        } else {
            pod.withNewStatus().withPhase("Running").addToConditions(new PodConditionBuilder().withType("PodScheduled")
                    .withStatus("True").build()).endStatus();
        }
        return client.pods().inNamespace(NS).resource(pod.build()).create();
    }

    private double pending(String pool) {
        return metrics.get("headstart.headroom.pending").tag("pool", pool).gauge().value();
    }

    private double preempted(String pool) {
        return metrics.get("headstart.headroom.preempted").tag("pool", pool).counter().count();
    }

    @Test
    void pendingCountsOnlyUnschedulablePausePodsAndPreemptedOnlyDeletesByTheScheduler() {
        reconciler.start();
        await(WAIT, "the pool's Deployment", () -> client.apps().deployments().inNamespace(NS)
                .withName("headstart-headroom-spot").get() != null);
        assertThat(pending("spot")).as("exported at zero once the pool exists").isZero();
        assertThat(preempted("spot")).isZero();

        placeholder("spot-a", "spot", true);
        placeholder("spot-b", "spot", true);
        placeholder("spot-c", "spot", false);
        // Not Headstart's (no managed-by label): never counted.
        client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("other").withNamespace(NS)
                .withLabels(Map.of("headstart.dev/headroom-pool", "spot")).endMetadata()
                .withNewStatus().withPhase("Pending").addToConditions(new PodConditionBuilder().withType("PodScheduled")
                        .withStatus("False").withReason("Unschedulable").build()).endStatus().build()).create();
        await(WAIT, "two pending", () -> pending("spot") == 2);

        // The node arrives and the scheduler binds one: it no longer waits.
        client.pods().inNamespace(NS).withName("spot-a").editStatus(p -> {
            p.getStatus().setPhase("Running");
            p.getStatus().setConditions(List.of(new PodConditionBuilder().withType("PodScheduled").withStatus("True").build()));
            return p;
        });
        await(WAIT, "one pending", () -> pending("spot") == 1);

        // A real pod preempts spot-c: the scheduler marks it, then deletes it.
        client.pods().inNamespace(NS).withName("spot-c").editStatus(p -> {
            p.getStatus().getConditions().add(new PodConditionBuilder().withType("DisruptionTarget").withStatus("True")
                    .withReason("PreemptionByScheduler")
                    .withMessage("default-scheduler: preempting to accommodate a higher priority pod").build());
            return p;
        });
        client.pods().inNamespace(NS).withName("spot-c").delete();
        await(WAIT, "one preempted", () -> preempted("spot") == 1);

        // A scale-down deletes without the condition: not preempted; a deleted pending pod stops counting.
        client.pods().inNamespace(NS).withName("spot-a").delete();
        client.pods().inNamespace(NS).withName("spot-b").delete();
        await(WAIT, "none pending", () -> pending("spot") == 0);
        assertThat(preempted("spot")).isEqualTo(1);

        reconciler.stop();
        placeholder("spot-d", "spot", true);
        assertThat(pending("spot")).as("a standby reports nothing pending").isZero();
    }

    @Test
    void conditionsAsTheSchedulerWritesThem() {
        Pod preempted = new PodBuilder().withNewStatus().addToConditions(new PodConditionBuilder()
                .withType("DisruptionTarget").withStatus("True").withReason("PreemptionByScheduler").build()).endStatus().build();
        Pod evicted = new PodBuilder().withNewStatus().addToConditions(new PodConditionBuilder()
                .withType("DisruptionTarget").withStatus("True").withReason("EvictionByEvictionAPI").build()).endStatus().build();
        Pod reset = new PodBuilder().withNewStatus().addToConditions(new PodConditionBuilder()
                .withType("DisruptionTarget").withStatus("False").withReason("PreemptionByScheduler").build()).endStatus().build();
        assertThat(HeadroomPodMetrics.preempted(preempted)).isTrue();
        assertThat(HeadroomPodMetrics.preempted(evicted)).isFalse();
        assertThat(HeadroomPodMetrics.preempted(reset)).isFalse();
        Pod scheduledButPending = new PodBuilder().withNewStatus().withPhase("Pending").addToConditions(new PodConditionBuilder()
                .withType("PodScheduled").withStatus("True").build()).endStatus().build();
        assertThat(HeadroomPodMetrics.unschedulable(scheduledButPending)).as("bound, pulling the image").isFalse();
    }
}
