package dev.headstart.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 19, case 4: the CLI refuses api-wait on kube-proxy with one line, exit 2 (bad input). */
class ApiWaitRefusalCliTest {

    @Test
    void cliRefusesApiWaitOnKubeProxy() {
        System.setProperty("headstart.api-wait.daemonsets", "kube-system/aws-node,kube-system/kube-proxy");
        System.setProperty("headstart.api-wait.image", "busybox:1.36.1");
        try {
            CliRun run = CliRun.of("mutate", "-f", "examples/daemonset-aws-node.yaml");
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err().strip().lines()).singleElement().asString().contains("kube-system/kube-proxy")
                    .contains("would wait forever");
        } finally {
            System.clearProperty("headstart.api-wait.daemonsets");
            System.clearProperty("headstart.api-wait.image");
        }
    }
}
