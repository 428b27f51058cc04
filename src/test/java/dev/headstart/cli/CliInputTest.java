package dev.headstart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What the CLI takes as input: kubectl's List output, templates, input without workloads. */
class CliInputTest {

    /** Trimmed from `kubectl get deploy,ds -o yaml`: a v1 List whose items carry their own kind. */
    static final String KUBECTL_LIST = """
            apiVersion: v1
            kind: List
            metadata:
              resourceVersion: ""
            items:
            - apiVersion: apps/v1
              kind: Deployment
              metadata:
                name: web
                namespace: shop
              spec:
                template:
                  spec:
                    containers:
                    - name: web
                      image: nginx:1.27
            - apiVersion: v1
              kind: ConfigMap
              metadata:
                name: settings
                namespace: shop
            """;

    /** What the API returns for a typed list: the items carry no kind. */
    static final String POD_LIST = """
            {"apiVersion": "v1", "kind": "PodList", "items": [
              {"metadata": {"name": "a", "namespace": "shop"}, "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}
            ]}""";

    @Test
    void mutateExpandsKubectlListsIntoTheirItems() {
        CliRun run = CliRun.withStdin(KUBECTL_LIST, "mutate", "-f", "-");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.documents()).extracting(d -> d.path("kind").asText()).containsExactly("Deployment", "ConfigMap");
        JsonNode web = run.documents().get(0);
        assertThat(web.at("/spec/template/spec/priorityClassName").asText()).isEqualTo("headstart-high");
        assertThat(web.at("/metadata/annotations").path("headstart.dev/applied").asText()).contains("priority-class");
    }

    @Test
    void auditExpandsListsTypedOnesToo() {
        CliRun list = CliRun.withStdin(KUBECTL_LIST, "audit", "-f", "-");
        assertThat(list.exitCode()).isEqualTo(1);
        assertThat(list.err()).isEqualTo("headstart: 1 workload, 1 with failed rules\n");
        assertThat(list.documents().get(0).at("/scope/kind").asText()).isEqualTo("Deployment");

        CliRun typed = CliRun.withStdin(POD_LIST, "audit", "-f", "-");
        assertThat(typed.exitCode()).as(typed.err()).isEqualTo(1);
        assertThat(typed.documents().get(0).at("/scope/kind").asText()).isEqualTo("Pod");
        assertThat(typed.documents().get(0).at("/scope/name").asText()).isEqualTo("a");
    }

    @Test
    void auditOfInputWithoutWorkloadsExitsTwoWithOneLine() {
        CliRun run = CliRun.of("audit", "-f", "examples/configmap.yaml");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("headstart: nothing to audit in examples/configmap.yaml: no Pod, Deployment, "
                + "StatefulSet, DaemonSet, ReplicaSet, Job or CronJob\n");
        assertThat(run.out()).isEmpty();

        CliRun empty = CliRun.withStdin("", "audit", "-f", "-");
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.err()).startsWith("headstart: nothing to audit in -:");
    }

    @Test
    void anUnrenderedHelmTemplateGetsOneLineSayingSo() {
        String template = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: {{ include "app.fullname" . }}
                  labels:
                    {{- include "app.labels" . | nindent 4 }}
                spec:
                  replicas: {{ .Values.replicaCount }}
                """;
        for (String command : new String[] {"mutate", "audit"}) {
            CliRun run = CliRun.withStdin(template, command, "-f", "-");
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).isEqualTo("headstart: <stdin>: not YAML \u2014 is it a template? render it first (helm template \u2026)\n");
        }
    }
}
