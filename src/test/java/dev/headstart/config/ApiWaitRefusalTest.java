package dev.headstart.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 19, case 4: api-wait configured onto kube-proxy (or Cilium's agent, Calico's node) would
 * wait for a Service IP only that DaemonSet programs. The server refuses to start with one line
 * naming why (the CLI: {@code dev.headstart.cli.ApiWaitRefusalCliTest}).
 */
class ApiWaitRefusalTest {

    @Test
    void startUpIsRefusedForApiWaitOnKubeProxy() {
        System.setProperty("headstart.api-wait.daemonsets", "kube-system/aws-node,kube-system/kube-proxy");
        System.setProperty("headstart.api-wait.image", "busybox:1.36.1");
        try {
            RuleSettingsWarnings startup = new RuleSettingsWarnings(ConfigLoader.load());
            assertThatThrownBy(startup::refuseBadSettings).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("kube-system/kube-proxy").hasMessageContaining("would wait forever")
                    .hasMessageNotContaining("\n");
        } finally {
            System.clearProperty("headstart.api-wait.daemonsets");
            System.clearProperty("headstart.api-wait.image");
        }
        new RuleSettingsWarnings(ConfigLoader.load()).refuseBadSettings(); // the defaults start
    }
}
