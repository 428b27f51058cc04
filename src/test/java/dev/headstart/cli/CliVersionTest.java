package dev.headstart.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Every help screen offers --version and -V; each prints the project version. */
class CliVersionTest {

    @Test
    void everyCommandPrintsTheVersion() {
        for (String[] args : new String[][] {{"-V"}, {"mutate", "--version"}, {"audit", "-V"}, {"headroom", "plan", "-V"}}) {
            CliRun run = CliRun.of(args);
            assertThat(run.exitCode()).as(String.join(" ", args)).isZero();
            assertThat(run.out().strip()).isEqualTo("headstart " + HeadstartVersion.version());
        }
        assertThat(HeadstartVersion.version()).as("filtered from pom.xml").matches("\\d+\\.\\d+\\.\\d+.*");
    }
}
