package dev.headstart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AuditCommandTest {

    @Test
    void compliantWorkloadPassesWithExitZero() {
        CliRun run = CliRun.of("audit", "-f", "examples/deployment-compliant.yaml");
        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).isEqualTo("headstart: 1 workload, 0 with failed rules\n");
        JsonNode report = run.documents().get(0);
        assertThat(report.path("apiVersion").asText()).isEqualTo("wgpolicyk8s.io/v1alpha2");
        assertThat(report.path("kind").asText()).isEqualTo("PolicyReport");
        assertThat(report.at("/metadata/name").asText()).isEqualTo("headstart-deployment-checkout");
        assertThat(report.at("/metadata/namespace").asText()).isEqualTo("shop");
        assertThat(report.path("summary").toString())
                .isEqualTo("{\"pass\":3,\"fail\":0,\"warn\":0,\"error\":0,\"skip\":0}");
        assertThat(report.at("/results/0/timestamp/seconds").asLong()).isEqualTo(CliRun.NOW.getEpochSecond());
        // Offline there is no uid: no ownerReference.
        assertThat(report.at("/metadata/ownerReferences").isMissingNode()).isTrue();
    }

    @Test
    void failedRulesExitOneAndEveryWorkloadGetsAReport() {
        CliRun run = CliRun.of("audit", "-f", "examples");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("headstart: 5 workloads, 4 with failed rules\n");
        List<String> summaries = new ArrayList<>();
        for (JsonNode report : run.documents()) {
            summaries.add(report.at("/scope/kind").asText() + "/" + report.at("/scope/name").asText() + " fail="
                    + report.at("/summary/fail").asInt() + " pass=" + report.at("/summary/pass").asInt());
        }
        // No report for the ConfigMap; kube-proxy also gets kube-proxy-hostname (api-wait is inert
        // until configured).
        assertThat(summaries).containsExactly(
                "CronJob/nightly-report fail=1 pass=1", // priority-class: Job pods excluded
                "DaemonSet/aws-node fail=1 pass=2", // api-wait: inert unless configured
                "DaemonSet/kube-proxy fail=1 pass=3",
                "Deployment/checkout fail=0 pass=3",
                "Deployment/shop-web fail=3 pass=0");
        JsonNode web = run.documents().get(4);
        JsonNode startup = web.path("results").get(1);
        assertThat(startup.path("policy").asText()).isEqualTo("startup-probe");
        assertThat(startup.path("result").asText()).isEqualTo("fail");
        assertThat(startup.path("source").asText()).isEqualTo("headstart");
        assertThat(startup.path("message").asText()).isEqualTo("container web has a readinessProbe but no startupProbe");
    }

    @Test
    void mutatedOutputAuditsClean(@TempDir Path dir) throws IOException {
        Path mutated = dir.resolve("mutated.yaml");
        Files.writeString(mutated, CliRun.of("mutate", "-f", "examples").out());
        CliRun run = CliRun.of("audit", "-f", mutated.toString());
        assertThat(run.exitCode()).as(run.out()).isZero();
    }

    @Test
    void skippedRulesAreReportedAsSkip() {
        String pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    headstart.dev/skip: all\n"
                + "spec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    imagePullPolicy: Always\n";
        CliRun run = CliRun.withStdin(pod, "audit", "-f", "-");
        assertThat(run.exitCode()).isZero();
        assertThat(run.documents().get(0).path("summary").toString())
                .isEqualTo("{\"pass\":0,\"fail\":0,\"warn\":0,\"error\":0,\"skip\":3}");
    }

    @Test
    void jsonOutputIsAListOfReports() throws IOException {
        CliRun run = CliRun.of("audit", "-f", "examples/deployment-needs-all.yaml", "-o", "json");
        assertThat(run.exitCode()).isEqualTo(1);
        JsonNode list = Json.MAPPER.readTree(run.out());
        assertThat(list.path("kind").asText()).isEqualTo("List");
        assertThat(list.path("items")).hasSize(1);
        assertThat(list.at("/items/0/summary/fail").asInt()).isEqualTo(3);
    }

    @Test
    void usageAndInputErrorsExitTwo(@TempDir Path dir) throws IOException {
        CliRun format = CliRun.of("audit", "-f", "examples", "-o", "table");
        assertThat(format.exitCode()).isEqualTo(2);
        assertThat(format.err()).isEqualTo("headstart: -o must be yaml or json, not 'table'\n");

        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"apiVersion\": \"v1\", ");
        CliRun bad = CliRun.of("audit", "-f", broken.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).startsWith("headstart: " + broken + ": not valid JSON").hasLineCount(1);

        CliRun unknown = CliRun.of("audit", "-f", "examples", "--frobnicate");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown option").doesNotContain("Exception");
    }
}
