package dev.headstart.controller.headroom;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ScaleDownStabilizerTest {

    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    private static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    @Test
    void scaleUpIsImmediateAndScaleDownWaitsForTheWindow() {
        ScaleDownStabilizer s = new ScaleDownStabilizer(Duration.ofMinutes(5));
        assertThat(s.apply(at(0), 4)).isEqualTo(4);
        assertThat(s.apply(at(10), 6)).isEqualTo(6);
        // A node flaps NotReady: the plan drops, the placeholders stay.
        assertThat(s.apply(at(20), 3)).isEqualTo(6);
        assertThat(s.nextChange()).contains(at(10 + 300));
        // ... and comes back within the window: nothing was deleted or recreated.
        assertThat(s.apply(at(60), 6)).isEqualTo(6);
        assertThat(s.nextChange()).isEmpty();
        // A lasting drop takes effect once the window has passed since the last higher plan.
        assertThat(s.apply(at(70), 2)).isEqualTo(6);
        assertThat(s.apply(at(359), 2)).isEqualTo(6);
        assertThat(s.apply(at(361), 2)).isEqualTo(2);
    }

    @Test
    void stepsDownThroughIntermediatePlans() {
        ScaleDownStabilizer s = new ScaleDownStabilizer(Duration.ofSeconds(100));
        s.apply(at(0), 10);
        s.apply(at(50), 5);
        assertThat(s.apply(at(90), 1)).isEqualTo(10);
        assertThat(s.apply(at(120), 1)).isEqualTo(5);
        assertThat(s.apply(at(151), 1)).isEqualTo(1);
    }

    @Test
    void aZeroWindowFollowsThePlanAndZeroIsHonoured() {
        ScaleDownStabilizer s = new ScaleDownStabilizer(Duration.ZERO);
        assertThat(s.apply(at(0), 5)).isEqualTo(5);
        assertThat(s.apply(at(1), 0)).isEqualTo(0);
    }
}
