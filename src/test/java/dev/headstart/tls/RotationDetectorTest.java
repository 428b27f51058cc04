package dev.headstart.tls;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RotationDetectorTest {

    @Test
    void unchangedFilesAreNeverReloaded() {
        RotationDetector d = new RotationDetector("a");
        for (int i = 0; i < 10; i++) {
            assertThat(d.observe("a")).isFalse();
        }
    }

    @Test
    void aChangeIsLoadedOnceItHasSettled() {
        RotationDetector d = new RotationDetector("a");
        assertThat(d.observe("b")).as("just changed: may be half-written").isFalse();
        assertThat(d.observe("b")).as("settled").isTrue();
        assertThat(d.observe("b")).as("already loaded").isFalse();
    }

    @Test
    void aPairWrittenOneFileAtATimeIsLoadedOnlyWhenComplete() {
        RotationDetector d = new RotationDetector("old-key+old-cert");
        assertThat(d.observe("new-key+old-cert")).isFalse();
        assertThat(d.observe("new-key+new-cert")).isFalse();
        assertThat(d.observe("new-key+new-cert")).isTrue();
    }

    @Test
    void missingFilesAreWaitedOut() {
        RotationDetector d = new RotationDetector("a");
        assertThat(d.observe(null)).isFalse();
        assertThat(d.observe(null)).isFalse();
        assertThat(d.observe("a")).isFalse();
        assertThat(d.observe("a")).as("back to what is loaded").isFalse();
    }
}
