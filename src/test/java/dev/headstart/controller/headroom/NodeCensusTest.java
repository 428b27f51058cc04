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
        NodeCensus.Tally tally = census.count(List.of(
                Nodes.ready("a", "4"),
                Nodes.ready("b", "3500m"),
                Nodes.notReady("c", "4"),
                Nodes.tainted("d", "4", "headstart.dev/warmup", "true", "NoSchedule"),
                Nodes.tainted("e", "4", "dedicated", "gpu", "NoSchedule"),
                Nodes.cordoned("f", "2")));
        assertThat(tally.schedulable()).isEqualTo(new ClusterSize(3, 11_500));
        assertThat(tally.schedulable().cores()).isEqualTo(12);
        assertThat(tally.cordoned()).isEqualTo(new ClusterSize(1, 2_000));
        assertThat(tally.size(true)).isEqualTo(new ClusterSize(4, 13_500));
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
        assertThat(census.counts(Nodes.tainted("a", "4", "headstart.dev/warmup", "true", "NoExecute"))).isTrue();
        NodeCensus anyEffect = new NodeCensus(Map.of(), TaintSpec.parse("Lifecycle=Warmup"));
        assertThat(anyEffect.counts(Nodes.tainted("a", "4", "Lifecycle", "Warmup", "NoExecute"))).isFalse();
        assertThat(anyEffect.counts(Nodes.tainted("a", "4", "Lifecycle", "Ready", "NoExecute"))).isTrue();
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
}
