package dev.headstart.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PrometheusRule's alerts under {@code promtool test rules}
 * (src/test/resources/monitoring/rules-test.yaml). promtool comes with Debian's {@code prometheus}
 * package, which .ci/run installs.
 */
class MonitoringRulesTest {

    @Test
    void alertsFireWhenTheyShouldAndOnlyThen(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(onPath("promtool"), "promtool not installed (apt-get install prometheus; .ci/run does)");
        JsonNode spec = MonitoringFiles.rule().path("spec");
        Files.writeString(dir.resolve("rules.yaml"), MonitoringFiles.YAML.writeValueAsString(spec));
        Files.copy(Path.of("src/test/resources/monitoring/rules-test.yaml"), dir.resolve("rules-test.yaml"));
        String check = run(dir, "promtool", "check", "rules", "rules.yaml");
        assertThat(check).contains("SUCCESS: 6 rules found");
        String test = run(dir, "promtool", "test", "rules", "rules-test.yaml");
        assertThat(test).contains("SUCCESS");
    }

    @Test
    void everyAlertHasASeverityASummaryAndATest() throws IOException {
        String tests = Files.readString(Path.of("src/test/resources/monitoring/rules-test.yaml"));
        List<String> alerts = new ArrayList<>();
        for (JsonNode group : MonitoringFiles.rule().at("/spec/groups")) {
            for (JsonNode rule : group.path("rules")) {
                String alert = rule.path("alert").asText();
                alerts.add(alert);
                assertThat(rule.at("/labels/severity").asText()).as(alert).isIn("warning", "critical");
                assertThat(rule.at("/annotations/summary").asText()).as(alert).isNotBlank();
                assertThat(rule.at("/annotations/description").asText()).as(alert).isNotBlank();
                // each alert is expected to fire in some test, and expected silent in another
                assertThat(tests).as(alert).containsPattern("alertname: " + alert + "\\s+exp_alerts:\\s+- exp_labels")
                        .containsPattern("alertname: " + alert + "\\s+exp_alerts: \\[]");
            }
        }
        assertThat(alerts).contains("HeadstartWebhookFailingOpen", "HeadstartNoLeader", "HeadstartCertificateExpiringSoon",
                "HeadstartPodStartupRegression");
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static String run(Path dir, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out;
    }
}
