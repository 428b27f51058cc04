package dev.headstart.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;

import java.time.Duration;

/**
 * The client settings of a CLI command that reads the live cluster: the kubeconfig's (as kubectl
 * finds it), with every request and connection bounded so the command answers within its own
 * timeout, and one retry instead of the client's default ten with growing back-off (which can
 * outlast a short timeout).
 * A command adds what is its own (a User-Agent, no retry at all) before {@code build()}.
 */
final class LiveClusterConfig {

    private LiveClusterConfig() {
    }

    static ConfigBuilder kubeconfig(Duration requestTimeout, Duration connectionTimeout) {
        return new ConfigBuilder(Config.autoConfigure(null))
                .withRequestTimeout(millis(requestTimeout))
                .withConnectionTimeout(millis(connectionTimeout))
                .withRequestRetryBackoffLimit(1);
    }

    private static int millis(Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, duration.toMillis());
    }
}
