package dev.headstart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CLI leaves alone what the install's webhooks never admit, read from the selectors of
 * manifests/base/webhooks.yaml (bundled at build time), unless --include-excluded.
 */
class InstallScopeTest {

    static String deployment(String namespace, String templateLabels) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: dns
                  namespace: %s
                spec:
                  template:
                    metadata:
                      labels: %s
                    spec:
                      containers:
                      - name: c
                        image: dns:1.11.3
                """.formatted(namespace, templateLabels);
    }

    @Test
    void theBundledSelectorsAreTheManifestsOwn() throws Exception {
        try (var bundled = InstallScope.class.getResourceAsStream(InstallScope.RESOURCE)) {
            assertThat(new String(bundled.readAllBytes())).isEqualTo(Files.readString(Path.of("manifests/base/webhooks.yaml")));
        }
    }

    @Test
    void kubeSystemPodsAreLeftAloneAsThePodWebhookNeverSeesThem() {
        CliRun run = CliRun.withStdin(deployment("kube-system", "{app: dns}"), "mutate", "-f", "-");
        assertThat(run.exitCode()).isZero();
        assertThat(run.documents().get(0).at("/spec/template/spec/priorityClassName").isMissingNode()).isTrue();
        assertThat(run.err()).isEqualTo("headstart: left Deployment kube-system/dns unchanged: the install does not admit it "
                + "(namespace kube-system is outside pods.mutate.headstart.dev's namespaceSelector); "
                + "--include-excluded to apply the rules anyway\n");

        CliRun included = CliRun.withStdin(deployment("kube-system", "{app: dns}"), "mutate", "-f", "-", "--include-excluded");
        assertThat(included.documents().get(0).at("/spec/template/spec/priorityClassName").asText()).isEqualTo("headstart-high");
    }

    @Test
    void headstartsOwnObjectsAndNamespaceAreLeftAlone() {
        CliRun own = CliRun.withStdin(deployment("apps", "{app.kubernetes.io/name: headstart}"), "mutate", "-f", "-");
        assertThat(own.documents().get(0).at("/spec/template/spec/priorityClassName").isMissingNode()).isTrue();
        assertThat(own.err()).contains("its pod template's labels are outside pods.mutate.headstart.dev's objectSelector");

        CliRun namespace = CliRun.withStdin(deployment("headstart-system", "{app: x}"), "mutate", "-f", "-");
        assertThat(namespace.documents().get(0).at("/spec/template/spec/priorityClassName").isMissingNode()).isTrue();

        CliRun elsewhere = CliRun.withStdin(deployment("apps", "{app: x}"), "mutate", "-f", "-");
        assertThat(elsewhere.err()).isEmpty();
        assertThat(elsewhere.documents().get(0).at("/spec/template/spec/priorityClassName").asText()).isEqualTo("headstart-high");
    }

    @Test
    void kubeSystemDaemonSetsAreAdmittedAsTheDaemonSetWebhookDoes() {
        CliRun run = CliRun.of("mutate", "-f", "examples/daemonset-kube-proxy.yaml");
        assertThat(run.err()).isEmpty();
        JsonNode kubeProxy = run.documents().get(0);
        assertThat(kubeProxy.at("/metadata/namespace").asText()).isEqualTo("kube-system");
        assertThat(kubeProxy.at("/metadata/annotations/headstart.dev~1applied").asText()).contains("kube-proxy-hostname");
    }

    @Test
    void auditSkipsExcludedWorkloadsAndFailsWhenNothingIsLeft() {
        String both = deployment("kube-system", "{app: dns}") + "---\n" + deployment("apps", "{app: x}");
        CliRun mixed = CliRun.withStdin(both, "audit", "-f", "-");
        assertThat(mixed.exitCode()).isEqualTo(1);
        assertThat(mixed.documents()).hasSize(1);
        assertThat(mixed.err()).contains("headstart: not auditing Deployment kube-system/dns")
                .endsWith("headstart: 1 workload, 1 with failed rules, 1 not admitted by the install\n");

        CliRun onlyExcluded = CliRun.withStdin(deployment("kube-system", "{app: dns}"), "audit", "-f", "-");
        assertThat(onlyExcluded.exitCode()).isEqualTo(2);
        assertThat(onlyExcluded.err()).endsWith("headstart: nothing to audit in -: all 1 workloads are outside what the "
                + "install admits (--include-excluded to audit them)\n");
    }
}
