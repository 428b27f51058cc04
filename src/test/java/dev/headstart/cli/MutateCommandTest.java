package dev.headstart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MutateCommandTest {

    @Test
    void directoryIsMutatedInFileNameOrderAndNonWorkloadsPassThrough() throws Exception {
        CliRun run = CliRun.of("mutate", "-f", "examples");
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<JsonNode> docs = run.documents();
        assertThat(docs).extracting(d -> d.path("kind").asText() + "/" + d.at("/metadata/name").asText())
                .containsExactly("ConfigMap/shop-settings", "CronJob/nightly-report", "DaemonSet/aws-node",
                        "DaemonSet/kube-proxy", "Deployment/checkout", "Deployment/shop-web");

        assertThat(docs.get(0)).isEqualTo(ManifestReader.read("examples/configmap.yaml", null).get(0));
        assertThat(docs.get(4)).isEqualTo(ManifestReader.read("examples/deployment-compliant.yaml", null).get(0));

        JsonNode cron = docs.get(1).at("/spec/jobTemplate/spec/template/spec");
        // Job pods (so CronJobs) get no class by default (headstart.priority-class.exclude-job-pods).
        assertThat(cron.has("priorityClassName")).isFalse();
        assertThat(cron.has("priority")).isFalse();
        assertThat(cron.at("/containers/0/imagePullPolicy").asText()).isEqualTo("IfNotPresent");

        // api-wait is inert until configured: the CNI's init containers are as written.
        JsonNode awsNode = docs.get(2).at("/spec/template/spec");
        assertThat(awsNode.at("/initContainers")).hasSize(1);
        assertThat(awsNode.at("/initContainers/0/name").asText()).isEqualTo("aws-vpc-cni-init");

        JsonNode proxy = docs.get(3).at("/spec/template/spec/containers/0");
        assertThat(proxy.path("command").toString()).contains("--hostname-override=$(NODE_NAME)");
        assertThat(proxy.at("/env/0/name").asText()).isEqualTo("NODE_NAME");

        JsonNode web = docs.get(5);
        assertThat(web.at("/metadata/annotations").path("headstart.dev/applied").asText())
                .isEqualTo("priority-class,startup-probe,pull-policy");
        assertThat(web.at("/spec/template/spec/containers/0/startupProbe/tcpSocket/port").asInt()).isEqualTo(8080);
        assertThat(web.at("/spec/template/spec/initContainers/0/imagePullPolicy").asText()).isEqualTo("IfNotPresent");
    }

    @Test
    void mutatingTheOutputAgainChangesNothing(@TempDir Path dir) throws IOException {
        CliRun first = CliRun.of("mutate", "-f", "examples");
        Path once = dir.resolve("once.yaml");
        Files.writeString(once, first.out());
        CliRun second = CliRun.of("mutate", "-f", once.toString());
        assertThat(second.exitCode()).isZero();
        assertThat(second.out()).isEqualTo(first.out());
    }

    @Test
    void readsJsonAndMultiDocumentYamlFromStdin() {
        String json = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1.27\",\"imagePullPolicy\":\"Always\"}]}}";
        CliRun fromJson = CliRun.withStdin(json, "mutate", "-f", "-");
        assertThat(fromJson.exitCode()).as(fromJson.err()).isZero();
        JsonNode pod = fromJson.documents().get(0);
        assertThat(pod.at("/spec/priorityClassName").asText()).isEqualTo("headstart-high");
        assertThat(pod.at("/spec/priority").isInt()).isTrue();
        assertThat(pod.at("/spec/priority").asInt()).as("headstart-high is 0: preempts placeholders only").isZero();
        assertThat(pod.at("/spec/containers/0/imagePullPolicy").asText()).isEqualTo("IfNotPresent");

        String yaml = "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n---\n" + "apiVersion: v1\nkind: Pod\n"
                + "metadata:\n  name: q\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n---\n";
        CliRun fromYaml = CliRun.withStdin(yaml, "mutate", "-f", "-");
        assertThat(fromYaml.documents()).extracting(d -> d.path("kind").asText()).containsExactly("Secret", "Pod");
    }

    @Test
    void flagsOverrideConfiguration() throws Exception {
        CliRun run = CliRun.of("mutate", "-f", "examples/deployment-needs-all.yaml", "--disable",
                "startup-probe,priority-class", "--pull-policy", "off");
        assertThat(run.exitCode()).isZero();
        JsonNode doc = run.documents().get(0);
        assertThat(doc).isEqualTo(ManifestReader.read("examples/deployment-needs-all.yaml", null).get(0));
    }

    /** Defect 12 of issue 10: a misspelt rule name disables nothing, and the CLI says so. */
    @Test
    void unknownRuleNamesAreWarnedOnStderr() throws Exception {
        CliRun run = CliRun.of("mutate", "-f", "examples/deployment-needs-all.yaml", "--disable", "startup-probes,pull-policy");
        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).contains("headstart: warning: unknown rule name in --disable: \"startup-probes\" "
                + "(rules: priority-class, startup-probe, pull-policy, api-wait, kube-proxy-hostname, cpu-boost)\n");
        assertThat(run.documents().get(0).at("/metadata/annotations").path("headstart.dev/applied").asText())
                .isEqualTo("priority-class,startup-probe");

        System.setProperty("headstart.disabled-rules", "priorty-class");
        try {
            CliRun configured = CliRun.of("audit", "-f", "examples/deployment-needs-all.yaml");
            assertThat(configured.err()).contains("headstart: warning: unknown rule name in headstart.disabled-rules: "
                    + "\"priorty-class\"");
        } finally {
            System.clearProperty("headstart.disabled-rules");
        }

        String pod = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"annotations\":"
                + "{\"headstart.dev/skip\":\"pullpolicy\"}},\"spec\":{\"containers\":[]}}";
        for (String command : new String[] {"mutate", "audit"}) {
            CliRun skipped = CliRun.withStdin(pod, command, "-f", "-");
            assertThat(skipped.err()).as(command).contains("headstart: unknown rule name in headstart.dev/skip: "
                    + "\"pullpolicy\" (rules: priority-class, startup-probe, pull-policy, api-wait, kube-proxy-hostname, cpu-boost);"
                    + " they skip nothing (Pod p)\n");
        }
        assertThat(CliRun.of("mutate", "-f", "examples/deployment-needs-all.yaml").err()).doesNotContain("warning");
    }

    @Test
    void badInputExitsTwoWithOneLineAndNoStackTrace(@TempDir Path dir) throws IOException {
        CliRun missing = CliRun.of("mutate", "-f", dir.resolve("nope.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.out()).isEmpty();
        assertThat(missing.err()).isEqualTo("headstart: " + dir.resolve("nope.yaml") + ": no such file or directory\n");

        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n");
        CliRun bad = CliRun.of("mutate", "-f", broken.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).startsWith("headstart: " + broken + ": not valid YAML (line ").hasLineCount(1)
                .doesNotContain("Exception");

        CliRun badFlag = CliRun.of("mutate", "-f", "examples", "--pull-policy", "sometimes");
        assertThat(badFlag.exitCode()).isEqualTo(2);
        assertThat(badFlag.err()).isEqualTo("headstart: --pull-policy must be pinned, all or off, not 'sometimes'\n");

        CliRun noFile = CliRun.of("mutate");
        assertThat(noFile.exitCode()).isEqualTo(2);
        assertThat(noFile.err()).contains("Missing required option").doesNotContain("Exception");
    }
}
