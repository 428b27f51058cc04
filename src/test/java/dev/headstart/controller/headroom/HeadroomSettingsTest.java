package dev.headstart.controller.headroom;

import dev.headstart.config.ConfigLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The configuration keys as an operator writes them, read the way the CLI reads them (no Quarkus). */
class HeadroomSettingsTest {

    private static final Map<String, String> PROPERTIES = Map.of(
            "headstart.headroom.node-selector.\"kubernetes.io/os\"", "linux",
            "headstart.headroom.node-selector.pool", "general",
            "headstart.headroom.tolerations", "dedicated=apps:NoSchedule,spot",
            "headstart.headroom.node-label-selector", "pool=general",
            "headstart.headroom.debounce", "500ms",
            "headstart.controller.namespace", "platform",
            "headstart.warm-pool.taint", "Lifecycle=Warmup:NoSchedule");

    @AfterEach
    void clear() {
        PROPERTIES.keySet().forEach(System::clearProperty);
    }

    @Test
    void defaults() {
        HeadroomSettings settings = HeadroomSettings.from(ConfigLoader.load());
        assertThat(settings.namespace()).isEqualTo("headstart-system");
        assertThat(settings.name()).isEqualTo("headstart-headroom");
        assertThat(settings.priority()).isEqualTo(-1);
        assertThat(settings.cpu()).isEqualTo("1");
        assertThat(settings.memory()).isEqualTo("1Gi");
        assertThat(settings.nodeSelector()).isEmpty();
        assertThat(settings.tolerations()).isEmpty();
        assertThat(settings.warmupTaint()).isEqualTo(new TaintSpec("headstart.dev/warmup", "true", "NoSchedule"));
        assertThat(settings.debounce()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.resync()).isEqualTo(Duration.ofMinutes(5));
        assertThat(HeadroomParams.parse(settings.defaultParams())).isInstanceOf(HeadroomParams.Linear.class);
    }

    @Test
    void operatorKeys() {
        PROPERTIES.forEach(System::setProperty);
        HeadroomSettings settings = HeadroomSettings.from(ConfigLoader.load());
        assertThat(settings.nodeSelector()).isEqualTo(Map.of("kubernetes.io/os", "linux", "pool", "general"));
        assertThat(settings.tolerations()).containsExactly(new TaintSpec("dedicated", "apps", "NoSchedule"),
                new TaintSpec("spot", null, null));
        assertThat(settings.nodeLabels()).isEqualTo(Map.of("pool", "general"));
        assertThat(settings.debounce()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.namespace()).isEqualTo("platform");
        assertThat(settings.warmupTaint()).isEqualTo(new TaintSpec("Lifecycle", "Warmup", "NoSchedule"));
        assertThat(List.of(settings.census().counts(Nodes.labelled("a", "1", "pool", "general"))))
                .containsExactly(true);
    }

    /** Issue 25 case 3: a placeholder priority at 0 or above, or below the expendable cutoff, stops start-up in one line. */
    @Test
    void priorityOutsideMinusTenToMinusOneIsRefusedInOneLine() {
        for (String bad : List.of("0", "5", "-11", "-1000")) {
            System.setProperty("headstart.headroom.priority", bad);
            try {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> HeadroomSettings.from(ConfigLoader.load()))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("headstart.headroom.priority " + bad + " must be between -10 and -1")
                        .hasMessageNotContaining("\n");
            } finally {
                System.clearProperty("headstart.headroom.priority");
            }
        }
        for (String good : List.of("-1", "-10")) {
            System.setProperty("headstart.headroom.priority", good);
            try {
                assertThat(HeadroomSettings.from(ConfigLoader.load()).priority()).isEqualTo(Integer.parseInt(good));
            } finally {
                System.clearProperty("headstart.headroom.priority");
            }
        }
    }
}
