package dev.headstart.controller.headroom;

import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pools parsed from the ConfigMap, sized by percentage, shaped, spread over zones, and zero honoured. */
class HeadroomPoolTest {

    private static final HeadroomSettings SETTINGS = HeadroomObjectsTest.settings(Map.of("pool", "general"),
            List.of(TaintSpec.parse("spot")), "500m");

    @Test
    void theCpaFormIsOnePoolNamedDefaultPlacedByTheConfiguration() {
        HeadroomPool.Parsed parsed = HeadroomPool.parseAll("{\"linear\":{\"nodesPerReplica\":2}}", SETTINGS);
        assertThat(parsed.poolsForm()).isFalse();
        HeadroomPool pool = parsed.pools().get("default");
        assertThat(pool.nodeSelector()).isEqualTo(Map.of("pool", "general"));
        assertThat(pool.tolerations()).containsExactly(TaintSpec.parse("spot"));
        assertThat(pool.shape()).containsEntry("cpu", new Quantity("500m")).containsEntry("memory", new Quantity("1Gi"));
        assertThat(pool.sizing()).isEqualTo(HeadroomParams.parse("{\"linear\":{\"nodesPerReplica\":2}}"));
    }

    @Test
    void poolsEachWithPlacementCountingSizingShapeAndZones() {
        HeadroomPool.Parsed parsed = HeadroomPool.parseAll("""
                {"pools":[
                  {"name":"spot","nodeSelector":{"node-group":"spot"},"tolerations":["spot=true:NoSchedule"],
                   "linear":{"nodesPerReplica":3,"min":0},"shape":{"cpu":"2","memory":"4Gi","nvidia.com/gpu":"1"},
                   "zones":{"spread":true,"minPerZone":1}},
                  {"name":"on-demand","nodeSelector":{"node-group":"on-demand"},"countNodes":"tier=apps",
                   "percentage":{"cpu":10}}
                ]}""", SETTINGS);
        assertThat(parsed.errors()).isEmpty();
        HeadroomPool spot = parsed.pools().get("spot");
        assertThat(spot.podNodeSelector()).isEqualTo(Map.of("node-group", "spot", "kubernetes.io/os", "linux"));
        assertThat(spot.shape()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(spot.shapeMilliCpu()).isEqualTo(2000);
        assertThat(spot.spread()).isTrue();
        assertThat(spot.minPerZone()).isEqualTo(1);
        HeadroomPool onDemand = parsed.pools().get("on-demand");
        assertThat(onDemand.countNodes()).isEqualTo(Map.of("tier", "apps"));
        assertThat(onDemand.shape()).containsEntry("cpu", new Quantity("1"));
        assertThat(onDemand.sizing()).isInstanceOf(HeadroomParams.Percentage.class);
    }

    @Test
    void aBadPoolIsReportedOnItsOwnAndTheOthersStand() {
        HeadroomPool.Parsed parsed = HeadroomPool.parseAll("""
                {"pools":[
                  {"name":"good","linear":{"nodesPerReplica":1}},
                  {"name":"typo","linear":{"corePerReplica":1}},
                  {"name":"twice","ladder":{"nodesToReplicas":[[0,1]]}},
                  {"name":"twice","ladder":{"nodesToReplicas":[[0,2]]}},
                  {"linear":{"nodesPerReplica":1}},
                  {"name":"shape","linear":{"nodesPerReplica":1},"shape":{"memory":"1Gi"}},
                  {"name":"mode","mode":"balloons","linear":{"nodesPerReplica":1}},
                  {"name":"from","shapeFrom":{"kind":"DaemonSet","namespace":"a","name":"b"},"linear":{"nodesPerReplica":1}},
                  {"name":"from2","shapeFrom":{"kind":"Deployment","name":"b"},"linear":{"nodesPerReplica":1}},
                  {"name":"aff","requiredNodeAffinity":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"a","operator":"In"}]}]},
                   "linear":{"nodesPerReplica":1}},
                  {"name":"aff2","requiredNodeAffinity":{"nodeSelectorTerms":[]},"linear":{"nodesPerReplica":1}},
                  {"name":"aff3","requiredNodeAffinity":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"a","operator":"Near","values":["x"]}]}]},
                   "linear":{"nodesPerReplica":1}},
                  {"name":"aff4","requiredNodeAffinity":{"nodeSelectorTerms":[{"matchExpressions":null,"matchFields":[null]}]},
                   "linear":{"nodesPerReplica":1}},
                  {"name":"aff5","requiredNodeAffinity":{"nodeSelectorTerms":[{"matchExpressions":[null]}]},
                   "linear":{"nodesPerReplica":1}},
                  {"name":"aff6","requiredNodeAffinity":"zone=a","linear":{"nodesPerReplica":1}}
                ]}""", SETTINGS);
        assertThat(parsed.pools()).containsOnlyKeys("good");
        assertThat(parsed.errors()).containsOnlyKeys("typo", "twice", "#4", "shape", "mode", "from", "from2", "aff", "aff2",
                "aff3", "aff4", "aff5", "aff6");
        assertThat(parsed.errors().get("mode")).contains("mode must be 'pause-pods', 'buffer' or 'auto', not 'balloons'");
        assertThat(parsed.errors().get("from")).contains("shapeFrom.kind 'DaemonSet' is not Deployment or StatefulSet");
        assertThat(parsed.errors().get("from2")).contains("shapeFrom must be");
        assertThat(parsed.errors().get("aff")).contains("requiredNodeAffinity must be");
        assertThat(parsed.errors().get("aff2")).contains("requiredNodeAffinity must be");
        assertThat(parsed.errors().get("aff3")).contains("requiredNodeAffinity must be");
        assertThat(parsed.errors().get("typo")).contains("unknown key 'corePerReplica'");
        assertThat(parsed.errors().get("twice")).contains("used twice");
        assertThat(parsed.errors().get("shape")).contains("shape needs cpu");
        assertThat(parsed.errors().values()).allMatch(m -> !m.contains("\n"));
        assertThatThrownBy(() -> HeadroomPool.parseAll("{\"pools\":{}}", SETTINGS)).hasMessageContaining("must be a list");
        assertThatThrownBy(() -> HeadroomPool.parseAll("{\"pools\":[],\"linear\":{}}", SETTINGS))
                .hasMessageContaining("no other top-level key");
    }

    @Test
    void modesShapeFromAndRequiredNodeAffinityParse() {
        HeadroomPool.Parsed parsed = HeadroomPool.parseAll("""
                {"pools":[
                  {"name":"a","mode":"buffer","linear":{"nodesPerReplica":1}},
                  {"name":"b","mode":"auto","shapeFrom":{"kind":"Deployment","namespace":"shop","name":"web"},
                   "linear":{"nodesPerReplica":1}},
                  {"name":"c","shapeFrom":{"kind":"StatefulSet","namespace":"db","name":"pg"},"shape":{"cpu":"4"},
                   "requiredNodeAffinity":{"nodeSelectorTerms":[{"matchExpressions":[
                     {"key":"karpenter.sh/capacity-type","operator":"In","values":["spot"]}]}]},
                   "linear":{"nodesPerReplica":1}}
                ]}""", SETTINGS);
        assertThat(parsed.errors()).isEmpty();
        assertThat(parsed.pools().get("a").mode()).isEqualTo(HeadroomPool.Mode.BUFFER);
        HeadroomPool b = parsed.pools().get("b");
        assertThat(b.mode()).isEqualTo(HeadroomPool.Mode.AUTO);
        assertThat(b.shapeFrom()).isEqualTo(new HeadroomPool.WorkloadRef("Deployment", "shop", "web"));
        assertThat(b.shape()).as("no shape of its own: nothing to fall back to").isEmpty();
        HeadroomPool c = parsed.pools().get("c");
        assertThat(c.shape()).as("the fallback while the StatefulSet is missing").isEqualTo(Map.of("cpu", new Quantity("4")));
        assertThat(c.requiredNodeAffinity()).hasSize(1);
        assertThat(c.requiredNodeAffinity().get(0).getMatchExpressions().get(0).getValues()).containsExactly("spot");
        assertThat(parsed.pools().get("a").mode().text()).isEqualTo("buffer");
        assertThat(HeadroomPool.parseAll("{\"linear\":{\"nodesPerReplica\":2}}", SETTINGS).pools().get("default").mode())
                .isEqualTo(HeadroomPool.Mode.PAUSE_PODS);
    }

    @ParameterizedTest(name = "{0}% of {1}m on {2}m pods -> {3}")
    @CsvSource({"10,96000,2000,5", "10,96000,1000,10", "25,4000,1000,1", "10,0,1000,0", "100,3500,1000,4",
            "10,80000,1000,8"})
    void percentageOfAllocatableCpuInPodsOfTheShape(double percent, long milliCores, long shapeMilli, int expected) {
        HeadroomParams params = HeadroomParams.parse("{\"percentage\":{\"cpu\":" + percent + "}}", true);
        assertThat(HeadroomPlan.of(new ClusterSize(3, milliCores), params, shapeMilli).replicas()).isEqualTo(expected);
    }

    @Test
    void percentageMinAndMaxAndOnlyInPools() {
        HeadroomParams params = HeadroomParams.parse("{\"percentage\":{\"cpu\":50,\"min\":2,\"max\":3}}", true);
        assertThat(HeadroomPlan.of(new ClusterSize(1, 0), params, 1000).replicas()).isEqualTo(2);
        assertThat(HeadroomPlan.of(new ClusterSize(9, 64_000), params, 1000).replicas()).isEqualTo(3);
        assertThatThrownBy(() -> HeadroomParams.parse("{\"percentage\":{\"cpu\":10}}"))
                .hasMessageContaining("unknown key 'percentage'");
        assertThatThrownBy(() -> HeadroomParams.parse("{\"percentage\":{\"cpu\":0}}", true))
                .hasMessageContaining("above 0");
    }

    @Test
    void zeroIsHonouredInPoolsWhileTheCpaFormKeepsCpasMinimumOfOne() {
        HeadroomParams pool = HeadroomParams.parse("{\"linear\":{\"nodesPerReplica\":8,\"min\":0}}", true);
        assertThat(HeadroomPlan.of(ClusterSize.ofCores(0, 0), pool).replicas()).isZero();
        assertThat(HeadroomPlan.of(ClusterSize.ofCores(9, 36), pool).replicas()).isEqualTo(2);
        HeadroomParams cpa = HeadroomParams.parse("{\"linear\":{\"nodesPerReplica\":8,\"min\":0}}");
        assertThat(HeadroomPlan.of(ClusterSize.ofCores(0, 0), cpa).replicas()).isEqualTo(1);
        HeadroomParams ladder = HeadroomParams.parse("{\"ladder\":{\"nodesToReplicas\":[[0,0],[6,1]]}}", true);
        assertThat(HeadroomPlan.of(ClusterSize.ofCores(5, 20), ladder).replicas()).isZero();
    }

    @ParameterizedTest(name = "{0} over {1}, min {2} -> {3}")
    @CsvSource(delimiter = ';', value = {
            "4; eu-west-1a,eu-west-1b,eu-west-1c; 1; {eu-west-1a=2, eu-west-1b=1, eu-west-1c=1}",
            "0; eu-west-1a,eu-west-1b,eu-west-1c; 1; {eu-west-1a=1, eu-west-1b=1, eu-west-1c=1}",
            "0; eu-west-1a,eu-west-1b; 0; {eu-west-1a=0, eu-west-1b=0}",
            "7; c,a,b,a; 2; {a=3, b=2, c=2}",
            "5; a; 1; {a=5}"})
    void zonesGetTheirMinimumAndTheRestRoundRobin(int planned, String zones, int min, String expected) {
        assertThat(ZoneSpread.distribute(planned, List.of(zones.split(",")), min).toString()).isEqualTo(expected);
    }

    @Test
    void noZonesNoSplit() {
        assertThat(ZoneSpread.distribute(3, List.of(), 1)).isEmpty();
    }
}
