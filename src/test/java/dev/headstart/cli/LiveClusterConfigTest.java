package dev.headstart.cli;

import io.fabric8.kubernetes.client.Config;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class LiveClusterConfigTest {

    @Test
    void boundsEveryRequestAndConnectionAndRetriesOnce() {
        Config config = LiveClusterConfig.kubeconfig(Duration.ofSeconds(30), Duration.ofSeconds(10)).build();

        assertThat(config.getRequestTimeout()).isEqualTo(30_000);
        assertThat(config.getConnectionTimeout()).isEqualTo(10_000);
        assertThat(config.getRequestRetryBackoffLimit()).isEqualTo(1);
    }

    @Test
    void aTimeoutBeyondWhatTheClientTakesIsTheLongestItTakes() {
        Config config = LiveClusterConfig.kubeconfig(Duration.ofDays(30), Duration.ofSeconds(1)).build();

        assertThat(config.getRequestTimeout()).isEqualTo(Integer.MAX_VALUE);
    }
}
