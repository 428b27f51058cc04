package dev.headstart.controller.headroom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HeadroomParamsTest {

    @Test
    void parsesLinearWithEveryKey() {
        HeadroomParams params = HeadroomParams.parse("{\"linear\":{\"coresPerReplica\":2,\"nodesPerReplica\":1.5,"
                + "\"min\":3,\"max\":100,\"preventSinglePointFailure\":true,\"includeUnschedulableNodes\":true}}");
        assertThat(params).isEqualTo(new HeadroomParams.Linear(2, 1.5, 3, 100, true, true));
    }

    @Test
    void linearMinDefaultsToOne() {
        assertThat(HeadroomParams.parse("{\"linear\":{\"nodesPerReplica\":4}}"))
                .isEqualTo(new HeadroomParams.Linear(0, 4, 1, 0, false, false));
    }

    @Test
    void parsesLadderAndSortsSteps() {
        HeadroomParams params = HeadroomParams.parse(
                "{\"ladder\":{\"coresToReplicas\":[[64,3],[1,1]],\"nodesToReplicas\":[[0,0],[6,1]]}}");
        assertThat(params).isEqualTo(new HeadroomParams.Ladder(
                List.of(new HeadroomParams.Step(1, 1), new HeadroomParams.Step(64, 3)),
                List.of(new HeadroomParams.Step(0, 0), new HeadroomParams.Step(6, 1)), false));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "``|empty",
            "not json|not JSON",
            "[1,2]|JSON object",
            "{\"linear\":{\"coresPerReplica\":{{1:1}}}}|not JSON",
            "{\"linear\":{\"coresPerReplica\":\"whatisthis\"}}|coresPerReplica must be a number",
            "{\"linear\":{\"nodesPerReplica\":-20}}|nodesPerReplica must be a number >= 0",
            "{\"linear\":{\"nodesPerReplica\":1,\"min\":100,\"max\":50}}|max 50 is below min 100",
            "{\"linear\":{\"min\":1,\"max\":100}}|coresPerReplica or nodesPerReplica greater than 0",
            "{\"linear\":{\"nodesPerReplica\":1,\"preventSinglePointFailure\":\"yes\"}}|must be true or false",
            "{\"linear\":{\"nodesPerReplica\":1,\"min\":1.5}}|min must be a whole number",
            "{\"linear\":{\"corePerReplica\":2}}|unknown key 'corePerReplica' in linear",
            "{\"linear\":{\"nodesPerReplica\":1,\"max\":1,\"preventSinglePointFailure\":true}}|needs max 0 or at least 2",
            "{\"linear\":{\"nodesPerReplica\":1},\"ladder\":{\"nodesToReplicas\":[[1,1]]}}|exactly one of",
            "{}|exactly one of",
            "{\"lineal\":{}}|unknown key 'lineal' in params",
            "{\"linear\":5}|'linear' must be a JSON object",
            "{\"ladder\":{}}|at least one step",
            "{\"ladder\":{\"coresToReplicas\":[]}}|at least one step",
            "{\"ladder\":{\"coresToReplicas\":[[\"1\",\"a\"]]}}|must be [threshold, replicas]",
            "{\"ladder\":{\"coresToReplicas\":[[1,-1]]}}|must be [threshold, replicas]",
            "{\"ladder\":{\"coresToReplicas\":[[1,1,1]]}}|must be [threshold, replicas]",
            "{\"ladder\":{\"coresToReplicas\":[[1,1],[1,2]]}}|threshold 1 twice",
            "{\"ladder\":{\"nodesToReplicas\":{\"1\":1}}}|must be a list",
    })
    void rejectsWithAOneLineReason(String json, String reason) {
        assertThatThrownBy(() -> HeadroomParams.parse(json))
                .isInstanceOf(InvalidHeadroomParamsException.class)
                .hasMessageContaining(reason)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
