package dev.headstart.controller.headroom;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeCensusTest {

    private final NodeCensus census = new NodeCensus(Map.of(), TaintSpec.parse("headstart.dev/warmup=true:NoSchedule"));

    @Test
    void countsReadyNodesWithoutTheWarmupTaintAndTalliesCordonedApart() {
        // e: dedicated=gpu:NoSchedule, which the placeholders do not tolerate: they could never land there.
        NodeCensus.Tally tally = census.count(List.of(
                Nodes.ready("a", "4"),
                Nodes.ready("b", "3500m"),
                Nodes.notReady("c", "4"),
                Nodes.tainted("d", "4", "headstart.dev/warmup", "true", "NoSchedule"),
                Nodes.tainted("e", "4", "dedicated", "gpu", "NoSchedule"),
                Nodes.cordoned("f", "2")));
        assertThat(tally.schedulable()).isEqualTo(new ClusterSize(2, 7_500));
        assertThat(tally.schedulable().cores()).isEqualTo(8);
        assertThat(tally.cordoned()).isEqualTo(new ClusterSize(1, 2_000));
        assertThat(tally.size(true)).isEqualTo(new ClusterSize(3, 9_500));
    }

    @Test
    void aNodeWithoutConditionsOrAllocatableIsNotCapacity() {
        var node = Nodes.ready("a", "4");
        node.getStatus().setConditions(List.of());
        var noCpu = Nodes.ready("b", "4");
        noCpu.getStatus().getAllocatable().clear();
        NodeCensus.Tally tally = census.count(List.of(node, noCpu));
        assertThat(tally.schedulable()).isEqualTo(new ClusterSize(1, 0));
    }

    @Test
    void theWarmupTaintMatchesOnKeyValueAndEffect() {
        NodeCensus tolerant = new NodeCensus(Map.of(), List.of(TaintSpec.parse("headstart.dev/warmup").toleration()),
                TaintSpec.parse("headstart.dev/warmup=true:NoSchedule"));
        assertThat(tolerant.counts(Nodes.tainted("a", "4", "headstart.dev/warmup", "true", "NoExecute"))).isTrue();
        assertThat(tolerant.counts(Nodes.tainted("a", "4", "headstart.dev/warmup", "true", "NoSchedule"))).isFalse();
        NodeCensus anyEffect = new NodeCensus(Map.of(), TaintSpec.parse("Lifecycle=Warmup"));
        assertThat(anyEffect.counts(Nodes.tainted("a", "4", "Lifecycle", "Warmup", "NoExecute"))).isFalse();
        assertThat(anyEffect.counts(Nodes.tainted("a", "4", "Lifecycle", "Ready", "PreferNoSchedule"))).isTrue();
    }

    @Test
    void labelSelectorLimitsTheNodesThatCount() {
        NodeCensus pool = new NodeCensus(NodeCensus.parseSelector("pool=general, tier==apps"),
                TaintSpec.parse("headstart.dev/warmup=true:NoSchedule"));
        var both = Nodes.labelled("a", "4", "pool", "general");
        both.getMetadata().getLabels().put("tier", "apps");
        assertThat(pool.count(List.of(both, Nodes.labelled("b", "4", "pool", "general"), Nodes.ready("c", "4")))
                .schedulable()).isEqualTo(new ClusterSize(1, 4000));
        assertThatThrownBy(() -> NodeCensus.parseSelector("pool")).hasMessageContaining("not key=value");
    }

    /** Issue 25 case 2: 3 workers + 20 Fargate + 1 virtual-kubelet + 1 Windows node is 3 nodes, not 25. */
    @Test
    void countsOnlyNodesPlaceholdersCanLandOnAndNeverVirtualOnes() {
        HeadroomSettings settings = HeadroomObjectsTest.settings(Map.of(), List.of(), "1");
        java.util.List<io.fabric8.kubernetes.api.model.Node> nodes = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(Nodes.ready("worker-" + i, "4"));
        }
        for (int i = 0; i < 20; i++) {
            var fargate = Nodes.tainted("fargate-ip-" + i, "2", "eks.amazonaws.com/compute-type", "fargate", "NoSchedule");
            fargate.getMetadata().getLabels().put("eks.amazonaws.com/compute-type", "fargate");
            nodes.add(fargate);
        }
        var virtual = Nodes.tainted("virtual-kubelet", "10k", "virtual-kubelet.io/provider", "azure", "NoSchedule");
        virtual.getMetadata().getLabels().put("type", "virtual-kubelet");
        nodes.add(virtual);
        nodes.add(Nodes.labelled("win-0", "8", "kubernetes.io/os", "windows"));
        nodes.add(Nodes.tainted("cp-0", "4", "node-role.kubernetes.io/control-plane", "", "NoSchedule"));
        nodes.add(Nodes.tainted("leaving", "4", "karpenter.sh/disrupted", "", "NoSchedule"));

        NodeCensus.Tally tally = settings.census().count(nodes);
        assertThat(tally.schedulable()).isEqualTo(new ClusterSize(3, 12_000));
        HeadroomPlan plan = HeadroomPlan.of(tally.size(false), HeadroomParams.parse(
                "{\"linear\":{\"coresPerReplica\":64,\"nodesPerReplica\":8,\"min\":1,\"max\":0}}"));
        assertThat(plan.replicas()).isEqualTo(1);
    }

    @Test
    void virtualAndDisruptedNodesNeverCountEvenWhenTolerated() {
        NodeCensus tolerateAll = new NodeCensus(Map.of(),
                List.of(new io.fabric8.kubernetes.api.model.TolerationBuilder().withOperator("Exists").build()),
                TaintSpec.parse("headstart.dev/warmup=true:NoSchedule"));
        assertThat(tolerateAll.counts(Nodes.tainted("f", "2", "eks.amazonaws.com/compute-type", "fargate", "NoSchedule")))
                .isFalse();
        assertThat(tolerateAll.counts(Nodes.labelled("v", "10k", "type", "virtual-kubelet"))).isFalse();
        assertThat(tolerateAll.counts(Nodes.tainted("k", "4", "karpenter.sh/disrupted", "", "NoSchedule"))).isFalse();
        assertThat(tolerateAll.counts(Nodes.tainted("g", "4", "dedicated", "gpu", "NoSchedule"))).isTrue();
    }

    @Test
    void tolerationsFollowTheSchedulersMatching() {
        var taint = new io.fabric8.kubernetes.api.model.TaintBuilder().withKey("spot").withValue("true")
                .withEffect("NoSchedule").build();
        assertThat(NodeCensus.tolerates(TaintSpec.parse("spot").toleration(), taint)).isTrue();
        assertThat(NodeCensus.tolerates(TaintSpec.parse("spot=true:NoSchedule").toleration(), taint)).isTrue();
        assertThat(NodeCensus.tolerates(TaintSpec.parse("spot=false").toleration(), taint)).isFalse();
        assertThat(NodeCensus.tolerates(TaintSpec.parse("spot:NoExecute").toleration(), taint)).isFalse();
        assertThat(NodeCensus.tolerates(TaintSpec.parse("other").toleration(), taint)).isFalse();
    }

    /** Issue 25: a pool's required node affinity limits its census as the scheduler limits its pods. */
    @Test
    void requiredNodeAffinityCountsOnlyNodesATermMatches() {
        var spot = new io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder().addNewMatchExpression()
                .withKey("karpenter.sh/capacity-type").withOperator("In").withValues("spot").endMatchExpression().build();
        var big = new io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder().addNewMatchExpression()
                .withKey("cores").withOperator("Gt").withValues("16").endMatchExpression().build();
        NodeCensus census = new NodeCensus(Map.of(), List.of(), TaintSpec.parse("headstart.dev/warmup=true:NoSchedule"),
                List.of(spot, big));
        assertThat(census.counts(Nodes.labelled("a", "4", "karpenter.sh/capacity-type", "spot"))).isTrue();
        assertThat(census.counts(Nodes.labelled("b", "4", "karpenter.sh/capacity-type", "on-demand"))).isFalse();
        assertThat(census.counts(Nodes.labelled("c", "32", "cores", "32"))).as("terms are ORed").isTrue();
        assertThat(census.counts(Nodes.labelled("d", "8", "cores", "8"))).isFalse();
        assertThat(new NodeCensus(Map.of(), List.of(), TaintSpec.parse("headstart.dev/warmup=true:NoSchedule"), List.of())
                .counts(Nodes.ready("e", "4"))).as("no affinity: every node").isTrue();
    }
}
