package dev.headstart.controller.headroom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Tables from the cluster-proportional-autoscaler's documented behaviour (README and its tests). */
class HeadroomPlanTest {

    private static int plan(String params, int nodes, long cores) {
        return HeadroomPlan.replicas(ClusterSize.ofCores(nodes, cores), HeadroomParams.parse(params));
    }

    @Test
    void readmeLinearExampleFourNodesThirteenCores() {
        String params = "{\"linear\":{\"coresPerReplica\":2,\"nodesPerReplica\":1,\"min\":1,\"max\":100,"
                + "\"preventSinglePointFailure\":true}}";
        HeadroomPlan plan = HeadroomPlan.of(ClusterSize.ofCores(4, 13), HeadroomParams.parse(params));
        assertThat(plan.fromCores()).isEqualTo(7);
        assertThat(plan.fromNodes()).isEqualTo(4);
        assertThat(plan.replicas()).isEqualTo(7);
        assertThat(plan.mode()).isEqualTo("linear");
    }

    @ParameterizedTest(name = "{0} cores -> {1}")
    @CsvSource({"0,2", "1,2", "2,2", "3,2", "4,2", "6,3", "10,5", "11,6", "19,10", "20,10", "21,11", "30,15",
            "40,20", "1000,100"})
    void linearSingleTermClampedToMinAndMax(long cores, int expected) {
        // No nodesPerReplica: that term yields 1 and the cores term decides.
        assertThat(plan("{\"linear\":{\"coresPerReplica\":2,\"min\":2,\"max\":100}}", 5, cores)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} cores, {1} nodes -> {2}")
    @CsvSource({"0,0,1", "1,2,2", "2,3,2", "3,4,2", "4,4,2", "6,4,3", "6,5,3", "8,5,4", "8,15,6", "8,16,7",
            "19,21,10", "23,20,12", "26,38,16", "30,49,20", "40,20,20"})
    void linearBothTermsWithPreventSinglePointFailure(long cores, int nodes, int expected) {
        String params = "{\"linear\":{\"coresPerReplica\":2,\"nodesPerReplica\":2.5,\"min\":1,\"max\":100,"
                + "\"preventSinglePointFailure\":true}}";
        assertThat(plan(params, nodes, cores)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} nodes -> {1}")
    @CsvSource({"0,1", "1,1", "2,2", "3,2", "10,2", "11,3"})
    void preventSinglePointFailureNeedsTwoNodes(int nodes, int expected) {
        String params = "{\"linear\":{\"nodesPerReplica\":5,\"preventSinglePointFailure\":true}}";
        assertThat(plan(params, nodes, 0)).isEqualTo(expected);
    }

    @Test
    void minOmittedMeansOneAndMaxZeroIsUnbounded() {
        assertThat(plan("{\"linear\":{\"nodesPerReplica\":1}}", 0, 0)).isEqualTo(1);
        assertThat(plan("{\"linear\":{\"nodesPerReplica\":1,\"max\":0}}", 5000, 0)).isEqualTo(5000);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"0,1", "1,1", "2,2", "3,3", "4,4", "6,4", "10,10", "11,10", "19,10", "20,20", "21,20", "40,20"})
    void ladderTakesTheLastStepAtOrBelowTheCount(long cores, int expected) {
        String params = "{\"ladder\":{\"coresToReplicas\":[[1,1],[2,2],[3,3],[4,4],[10,10],[20,20]]}}";
        assertThat(plan(params, 0, cores)).isEqualTo(expected);
    }

    @Test
    void readmeLadderExampleHundredNodesFourHundredCores() {
        String params = "{\"ladder\":{\"coresToReplicas\":[[1,1],[64,3],[512,5],[1024,7],[2048,10],[65536,15]],"
                + "\"nodesToReplicas\":[[1,1],[2,2]]}}";
        HeadroomPlan plan = HeadroomPlan.of(ClusterSize.ofCores(100, 400), HeadroomParams.parse(params));
        assertThat(plan.fromCores()).isEqualTo(3);
        assertThat(plan.fromNodes()).isEqualTo(2);
        assertThat(plan.replicas()).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0} nodes -> {1}")
    @CsvSource({"0,0", "5,0", "6,1", "100,1"})
    void ladderCanScaleToZeroUntilTheClusterGrows(int nodes, int expected) {
        assertThat(plan("{\"ladder\":{\"nodesToReplicas\":[[0,0],[6,1]]}}", nodes, 64)).isEqualTo(expected);
    }

    @Test
    void unsortedLadderStepsAreSorted() {
        String params = "{\"ladder\":{\"coresToReplicas\":[[65535,100],[3,3],[1,1],[512,5],[2,2]]}}";
        assertThat(plan(params, 0, 600)).isEqualTo(5);
        assertThat(plan(params, 0, 2)).isEqualTo(2);
    }

    @Test
    void coresAreRoundedUpOnceFromMillicores() {
        HeadroomParams params = HeadroomParams.parse("{\"linear\":{\"coresPerReplica\":2}}");
        // 3 nodes of 1.93 allocatable cores = 5.79 cores -> 6 cores -> 3 replicas.
        assertThat(HeadroomPlan.replicas(new ClusterSize(3, 3 * 1930), params)).isEqualTo(3);
        assertThat(new ClusterSize(3, 3 * 1930).cores()).isEqualTo(6);
        assertThat(new ClusterSize(1, 4000).cores()).isEqualTo(4);
    }
}
