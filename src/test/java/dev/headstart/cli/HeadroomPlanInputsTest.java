package dev.headstart.cli;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** headroom plan says which inputs are missing, and bounds its wait for a cluster that does not answer. */
class HeadroomPlanInputsTest {

    @Test
    void nodesWithoutCoresOrTheOtherWayRoundIsAUsageError() {
        CliRun nodesOnly = CliRun.of("headroom", "plan", "--nodes", "3");
        assertThat(nodesOnly.exitCode()).isEqualTo(2);
        assertThat(nodesOnly.err()).isEqualTo("headstart: --nodes needs --cores too: give both to plan offline, "
                + "or neither to count the cluster's nodes\n");
        assertThat(nodesOnly.out()).isEmpty();

        CliRun coresOnly = CliRun.of("headroom", "plan", "--cores", "48");
        assertThat(coresOnly.exitCode()).isEqualTo(2);
        assertThat(coresOnly.err()).startsWith("headstart: --cores needs --nodes too");
    }

    @Test
    void helpDocumentsEveryExitCode() {
        CliRun help = CliRun.of("headroom", "plan", "--help");
        assertThat(help.out()).contains("Exit codes:").containsPattern("(?m)^  0 +planned")
                .containsPattern("(?m)^  1 +the cluster could not be read").containsPattern("(?m)^  2 +usage or input error");
    }

    @Test
    void aClusterThatNeverAnswersIsGivenUpAfterTheTimeoutSayingWhatItWaitedFor() throws Exception {
        // Accepts TCP connections (the kernel's backlog) but never speaks TLS: a hung API server.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String url = "https://127.0.0.1:" + silent.getLocalPort();
            Map<String, String> properties = Map.of("kubernetes.master", url, "kubernetes.trust.certificates", "true",
                    "kubernetes.auth.tryKubeConfig", "false", "kubernetes.auth.tryServiceAccount", "false");
            properties.forEach(System::setProperty);
            try {
                long start = System.nanoTime();
                CliRun run = CliRun.of("headroom", "plan", "--timeout", "2");
                long seconds = (System.nanoTime() - start) / 1_000_000_000L;
                assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
                assertThat(run.err()).startsWith("headstart: reading nodes and the params ConfigMap from " + url)
                        .contains("waiting at most 2 s")
                        .endsWith("headstart: no answer from " + url + "/ within 2 s (give --nodes and --cores to plan offline)\n");
                assertThat(seconds).as("bounded by --timeout").isLessThan(10);
            } finally {
                properties.keySet().forEach(System::clearProperty);
            }
        }
    }
}
