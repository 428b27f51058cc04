package dev.headstart.telemetry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Optional;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ImagePullTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "850ms|0.85", "3.21s|3.21", "1m5.5s|65.5", "1h2m3.5s|3723.5", "0s|0", "1.5µs|0.0000015",
            "2us|0.000002", "500ns|0.0000005", "1m|60", ".5s|0.5"})
    void goDurations(String text, double seconds) {
        assertThat(GoDuration.seconds(text)).get().satisfies(s -> assertThat(s).isCloseTo(seconds, within(1e-12)));
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource(delimiter = '|', value = {"''", "3.21", "s", "-1s", "1x", "'1s '", "1 s", "abc"})
    void notGoDurations(String text) {
        assertThat(GoDuration.seconds(text)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // kubelet 1.30+: the pull, then the pull with waiting, then the size
            "Successfully pulled image \"nginx:1.27\" in 3.21s (3.21s including waiting). Image size: 72099410 bytes.|3.21",
            "Successfully pulled image \"registry.k8s.io/pause:3.9\" in 850ms (1m5.5s including waiting). Image size: 321 bytes.|0.85",
            // 1.27-1.29: no size
            "Successfully pulled image \"nginx\" in 1m5.5s (1m5.5s including waiting)|65.5",
            // older kubelets: no parenthesis, an untruncated duration
            "Successfully pulled image \"nginx@sha256:0123\" in 1h2m3.512345678s|3723.512345678",
            "Successfully pulled image \"nginx\" in 850ms|0.85"})
    void pullsReadTheFirstFigure(String message, double seconds) {
        ImagePull pull = ImagePull.parse(message).orElseThrow();
        assertThat(pull.cached()).isFalse();
        assertThat(pull.seconds().getAsDouble()).isCloseTo(seconds, within(1e-9));
    }

    @Test
    void alreadyPresentIsACacheHitOfNoTime() {
        assertThat(ImagePull.parse("Container image \"nginx:1.27\" already present on machine"))
                .contains(new ImagePull(true, OptionalDouble.of(0)));
        assertThat(ImagePull.parse("Container image \"nginx:1.27\" already present on machine and can be accessed by the pod"))
                .contains(new ImagePull(true, OptionalDouble.of(0)));
    }

    @Test
    void theOldestKubeletsPrintNoDuration() {
        assertThat(ImagePull.parse("Successfully pulled image \"nginx\""))
                .contains(new ImagePull(false, OptionalDouble.empty()));
    }

    @Test
    void otherEventsAreNoPulls() {
        assertThat(ImagePull.parse("Pulling image \"nginx\"")).isEmpty();
        assertThat(ImagePull.parse(null)).isEmpty();
        assertThat(ImagePull.of(Objects.event("Pulling", "Pod", "p", null, "Pulling image \"nginx\""))).isEmpty();
        assertThat(ImagePull.of(Objects.event("Pulled", "Node", "p", null,
                "Container image \"nginx\" already present on machine"))).isEmpty();
        assertThat(ImagePull.of(Objects.pulled("p", null, "Container image \"nginx\" already present on machine")))
                .map(ImagePull::cached).isEqualTo(Optional.of(true));
    }
}
