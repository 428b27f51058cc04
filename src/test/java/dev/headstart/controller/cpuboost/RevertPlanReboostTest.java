package dev.headstart.controller.cpuboost;

import dev.headstart.json.Json;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RevertPlan} with {@code reboost-after-restart}: from the pod alone, so any leader agrees. */
class RevertPlanReboostTest {

    static final Duration MAX = Duration.ofMinutes(5);

    @Test
    void aRestartAfterTheRevertIsBoostedAgainOnlyWhenAskedAndWithinItsWindow() {
        CpuBoostReverterTest fixtures = new CpuBoostReverterTest();
        Instant now = Instant.now();
        Pod pod = fixtures.revertedThenRestarted(true, 1, now.minusSeconds(10), false);
        RevertPlan plan = RevertPlan.of(pod, now, MAX, true);
        assertThat(plan.action()).isEqualTo(RevertPlan.Action.REBOOST);
        assertThat(Json.MAPPER.valueToTree(plan.body()).asText()).isEqualTo(CpuBoostReverterTest.REBOOST);
        assertThat(plan.since()).isEqualTo(now.minusSeconds(10));
        assertThat(RevertPlan.of(pod, now, MAX, false).action()).isEqualTo(RevertPlan.Action.DONE);
        assertThat(RevertPlan.of(pod, now.plus(MAX), MAX, true).action()).isEqualTo(RevertPlan.Action.DONE);
        assertThat(RevertPlan.of(fixtures.revertedThenRestarted(false, 1, now, false), now, MAX, true).action())
                .isEqualTo(RevertPlan.Action.DONE);
        assertThat(RevertPlan.of(fixtures.revertedThenRestarted(true, 0, now, false), now, MAX, true).action())
                .isEqualTo(RevertPlan.Action.DONE);
    }
}
