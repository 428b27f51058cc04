package dev.headstart.telemetry;

import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static dev.headstart.telemetry.Objects.pod;
import static dev.headstart.telemetry.PodPhase.INITIALIZATION;
import static dev.headstart.telemetry.PodPhase.SCHEDULING;
import static dev.headstart.telemetry.PodPhase.STARTUP;
import static dev.headstart.telemetry.PodPhase.TOTAL;
import static org.assertj.core.api.Assertions.assertThat;

class PodStartupTest {

    static Stream<Arguments> pods() {
        return Stream.of(
                Arguments.of("every condition",
                        pod("a", false, 0, "PodScheduled=True@12:00:02", "Initialized=True@12:00:05", "Ready=True@12:00:15"),
                        Map.of(SCHEDULING, 2.0, INITIALIZATION, 3.0, STARTUP, 10.0, TOTAL, 15.0)),
                Arguments.of("conditions in any order, fractions of seconds",
                        pod("a", false, 0, "Ready=True@12:00:15.250", "Initialized=True@12:00:05", "PodScheduled=True@12:00:00.5"),
                        Map.of(SCHEDULING, 0.5, INITIALIZATION, 4.5, STARTUP, 10.25, TOTAL, 15.25)),
                Arguments.of("no PodScheduled: the two phases it ends or starts are left out",
                        pod("a", false, 0, "Initialized=True@12:00:05", "Ready=True@12:00:15"),
                        Map.of(STARTUP, 10.0, TOTAL, 15.0)),
                Arguments.of("Initialized not True: initialization and startup left out",
                        pod("a", false, 0, "PodScheduled=True@12:00:02", "Initialized=False@12:00:05", "Ready=True@12:00:15"),
                        Map.of(SCHEDULING, 2.0, TOTAL, 15.0)),
                Arguments.of("a condition without a time is a missing end",
                        pod("a", false, 0, "PodScheduled=True", "Initialized=True@12:00:05", "Ready=True@12:00:15"),
                        Map.of(STARTUP, 10.0, TOTAL, 15.0)),
                Arguments.of("a time that does not parse is a missing end",
                        pod("a", false, 0, "PodScheduled=True@yesterday", "Initialized=True@12:00:05", "Ready=True@12:00:15"),
                        Map.of(STARTUP, 10.0, TOTAL, 15.0)),
                Arguments.of("restarted container: Ready dates from the latest start, so startup and total are left out",
                        pod("a", false, 3, "PodScheduled=True@12:00:02", "Initialized=True@12:00:05", "Ready=True@12:09:00"),
                        Map.of(SCHEDULING, 2.0, INITIALIZATION, 3.0)),
                Arguments.of("clock skew: Initialized before PodScheduled (kubelet clock behind the scheduler's)",
                        pod("a", false, 0, "PodScheduled=True@12:00:04", "Initialized=True@12:00:03", "Ready=True@12:00:10"),
                        Map.of(SCHEDULING, 4.0, STARTUP, 7.0, TOTAL, 10.0)),
                Arguments.of("clock skew: Ready before creation (kubelet clock far behind)",
                        pod("a", false, 0, "PodScheduled=True@11:59:58", "Initialized=True@11:59:58", "Ready=True@11:59:59"),
                        Map.of(INITIALIZATION, 0.0, STARTUP, 1.0)),
                Arguments.of("zero-length phases are kept",
                        pod("a", false, 0, "PodScheduled=True@12:00:00", "Initialized=True@12:00:00", "Ready=True@12:00:01"),
                        Map.of(SCHEDULING, 0.0, INITIALIZATION, 0.0, STARTUP, 1.0, TOTAL, 1.0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pods")
    void phasesOfAReadyPod(String name, Pod pod, Map<PodPhase, Double> expected) {
        assertThat(PodStartup.of(pod)).get().extracting(PodStartup::phases).isEqualTo(expected);
    }

    @Test
    void podsThatAreNotReadyCountNot() {
        assertThat(PodStartup.of(pod("pending", false, 0, "PodScheduled=False@12:00:01"))).isEmpty();
        assertThat(PodStartup.of(pod("starting", false, 0, "PodScheduled=True@12:00:01", "Initialized=True@12:00:02",
                "Ready=False@12:00:02"))).isEmpty();
        assertThat(PodStartup.of(pod("no-conditions", false, 0))).isEmpty();
        Pod noStatus = pod("x", false, 0);
        noStatus.setStatus(null);
        assertThat(PodStartup.of(noStatus)).isEmpty();
        Pod noCreation = pod("y", false, 0, "Ready=True@12:00:10");
        noCreation.getMetadata().setCreationTimestamp(null);
        assertThat(PodStartup.of(noCreation)).isEmpty();
    }

    @Test
    void groupFollowsTheAppliedAnnotation() {
        Optional<PodStartup> on = PodStartup.of(pod("on", true, 0, "Ready=True@12:00:10"));
        Optional<PodStartup> off = PodStartup.of(pod("off", false, 0, "Ready=True@12:00:10"));
        assertThat(on).get().satisfies(p -> {
            assertThat(p.headstart()).isTrue();
            assertThat(p.key()).isEqualTo("shop/on");
            assertThat(p.uid()).isEqualTo("uid-on");
        });
        assertThat(off).get().extracting(PodStartup::headstart).isEqualTo(false);
    }
}
