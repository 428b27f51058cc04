package dev.headstart.controller.warmpool;

import io.fabric8.kubernetes.api.model.Taint;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WarmupTaintTest {

    @Test
    void parsesKeyValueEffect() {
        assertThat(WarmupTaint.parse("headstart.dev/warmup=true:NoSchedule"))
                .isEqualTo(new WarmupTaint("headstart.dev/warmup", "true", "NoSchedule"));
        assertThat(WarmupTaint.parse("Lifecycle=Warmup:NoSchedule"))
                .isEqualTo(new WarmupTaint("Lifecycle", "Warmup", "NoSchedule"));
        assertThat(WarmupTaint.parse("warming:NoExecute")).isEqualTo(new WarmupTaint("warming", "", "NoExecute"));
    }

    @Test
    void rejectsMalformedWithOneLine() {
        assertThatThrownBy(() -> WarmupTaint.parse("headstart.dev/warmup=true"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key=value:Effect");
        assertThatThrownBy(() -> WarmupTaint.parse("a=b:Sometimes"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("effect");
        assertThatThrownBy(() -> WarmupTaint.parse("=b:NoSchedule")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void matchesByKeyAndEffectAndToleratesItself() {
        WarmupTaint taint = WarmupTaint.parse("Lifecycle=Warmup:NoSchedule");
        assertThat(taint.matches(new Taint("NoSchedule", "Lifecycle", null, "Warmup"))).isTrue();
        assertThat(taint.matches(new Taint("NoExecute", "Lifecycle", null, "Warmup"))).isFalse();
        assertThat(taint.toleration().getOperator()).isEqualTo("Equal");
        assertThat(taint.toleration().getValue()).isEqualTo("Warmup");
        assertThat(WarmupTaint.parse("warming:NoSchedule").toleration().getOperator()).isEqualTo("Exists");
    }
}
