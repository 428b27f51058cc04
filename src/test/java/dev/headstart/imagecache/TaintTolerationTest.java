package dev.headstart.imagecache;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static dev.headstart.imagecache.PlanFixtures.taint;
import static dev.headstart.imagecache.PlanFixtures.toleration;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Toleration.ToleratesTaint (toleration.go) and the TaintToleration filter's choice of effects. */
class TaintTolerationTest {

    static Stream<Arguments> cases() {
        Taint gpu = taint("nvidia.com/gpu", "present", "NoSchedule");
        return Stream.of(
                Arguments.of("Equal, same key, value and effect", toleration("nvidia.com/gpu", "Equal", "present", "NoSchedule"), gpu, true),
                Arguments.of("Equal, other value", toleration("nvidia.com/gpu", "Equal", "absent", "NoSchedule"), gpu, false),
                Arguments.of("empty operator is Equal", toleration("nvidia.com/gpu", null, "present", "NoSchedule"), gpu, true),
                Arguments.of("empty operator, other value", toleration("nvidia.com/gpu", "", "x", "NoSchedule"), gpu, false),
                Arguments.of("Equal without value, taint without value",
                        toleration("dedicated", "Equal", null, "NoSchedule"), taint("dedicated", null, "NoSchedule"), true),
                Arguments.of("Exists, any value", toleration("nvidia.com/gpu", "Exists", null, "NoSchedule"), gpu, true),
                Arguments.of("Exists, other key", toleration("other", "Exists", null, "NoSchedule"), gpu, false),
                Arguments.of("empty effect matches NoSchedule", toleration("nvidia.com/gpu", "Exists", null, null), gpu, true),
                Arguments.of("empty effect matches NoExecute", toleration("spot", "Exists", null, ""), taint("spot", "true", "NoExecute"), true),
                Arguments.of("empty effect matches PreferNoSchedule", toleration("soft", "Exists", null, null),
                        taint("soft", "x", "PreferNoSchedule"), true),
                Arguments.of("NoExecute does not tolerate NoSchedule", toleration("nvidia.com/gpu", "Exists", null, "NoExecute"), gpu, false),
                Arguments.of("NoSchedule does not tolerate NoExecute", toleration("spot", "Exists", null, "NoSchedule"),
                        taint("spot", "true", "NoExecute"), false),
                Arguments.of("empty key and Exists: every key", toleration(null, "Exists", null, null), gpu, true),
                Arguments.of("empty key and Exists: every NoExecute key", toleration("", "Exists", null, null),
                        taint("node.kubernetes.io/unreachable", null, "NoExecute"), true),
                Arguments.of("empty key and Exists with an effect: only that effect", toleration(null, "Exists", null, "NoExecute"), gpu, false),
                Arguments.of("Lt: taint value smaller", toleration("level", "Lt", "5", "NoSchedule"), taint("level", "3", "NoSchedule"), true),
                Arguments.of("Lt: taint value larger", toleration("level", "Lt", "5", "NoSchedule"), taint("level", "7", "NoSchedule"), false),
                Arguments.of("Gt: taint value larger", toleration("level", "Gt", "5", "NoSchedule"), taint("level", "7", "NoSchedule"), true),
                Arguments.of("Gt: not an integer", toleration("level", "Gt", "5", "NoSchedule"), taint("level", "high", "NoSchedule"), false),
                Arguments.of("unknown operator", toleration("nvidia.com/gpu", "Matches", "present", "NoSchedule"), gpu, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void toleratesAsTolerationGoSays(String description, Toleration toleration, Taint taint, boolean expected) {
        assertEquals(expected, TaintToleration.tolerates(toleration, taint), description);
    }

    @ParameterizedTest(name = "{0} repels: {1}")
    @CsvSource({"NoSchedule,true", "NoExecute,true", "PreferNoSchedule,false"})
    void onlyNoScheduleAndNoExecuteKeepPodsOff(String effect, boolean repels) {
        assertEquals(repels, TaintToleration.repels(taint("k", "v", effect)));
    }
}
