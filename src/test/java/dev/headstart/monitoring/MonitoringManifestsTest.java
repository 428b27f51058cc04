package dev.headstart.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** manifests/monitoring: optional, scrapes both containers, renders with kustomize. */
class MonitoringManifestsTest {

    @Test
    void monitoringIsNotPartOfTheBaseInstall() throws IOException {
        for (Path kustomization : List.of(Path.of("manifests/kustomization.yaml"), Path.of("manifests/base/kustomization.yaml"))) {
            JsonNode k = MonitoringFiles.YAML.readTree(kustomization.toFile());
            k.path("resources").forEach(r -> assertThat(r.asText()).as(kustomization.toString()).doesNotContain("monitoring"));
        }
    }

    @Test
    void thePodMonitorScrapesBothContainersOnTheirManagementPorts() throws IOException {
        JsonNode monitor = MonitoringFiles.YAML.readTree(MonitoringFiles.DIR.resolve("podmonitor.yaml").toFile());
        JsonNode deployment = null;
        for (JsonNode document : MonitoringFiles.YAML.readerFor(JsonNode.class)
                .<JsonNode>readValues(Path.of("manifests/base/deployment.yaml").toFile()).readAll()) {
            if ("Deployment".equals(document.path("kind").asText())) {
                deployment = document;
            }
        }
        assertThat(deployment).isNotNull();
        Map<String, Integer> ports = new HashMap<>();
        Map<String, String> containerOf = new HashMap<>();
        for (JsonNode container : deployment.at("/spec/template/spec/containers")) {
            for (JsonNode port : container.path("ports")) {
                ports.put(port.path("name").asText(), port.path("containerPort").asInt());
                containerOf.put(port.path("name").asText(), container.path("name").asText());
            }
        }
        List<String> scraped = new ArrayList<>();
        for (JsonNode endpoint : monitor.at("/spec/podMetricsEndpoints")) {
            String port = endpoint.path("port").asText();
            assertThat(endpoint.path("path").asText()).isEqualTo("/q/metrics");
            scraped.add(containerOf.get(port) + ":" + ports.get(port));
        }
        assertThat(scraped).containsExactlyInAnyOrder("webhook:9000", "controller:9001");
        JsonNode labels = deployment.at("/spec/template/metadata/labels");
        monitor.at("/spec/selector/matchLabels").fields().forEachRemaining(
                l -> assertThat(labels.path(l.getKey()).asText()).as(l.getKey()).isEqualTo(l.getValue().asText()));
        assertThat(monitor.at("/spec/namespaceSelector/matchNames/0").asText()).isEqualTo("headstart-system");
    }

    @Test
    void kustomizeRendersTheMonitorTheRuleAndTheDashboardConfigMap() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/kubectl")) || onPath("kubectl"), "no kubectl");
        Process process = new ProcessBuilder("kubectl", "kustomize", "manifests/monitoring").redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(out).isZero();
        List<String> objects = new ArrayList<>();
        JsonNode dashboard = null;
        for (JsonNode object : MonitoringFiles.YAML.readerFor(JsonNode.class).<JsonNode>readValues(out).readAll()) {
            objects.add(object.path("kind").asText() + "/" + object.at("/metadata/namespace").asText() + "/"
                    + object.at("/metadata/name").asText());
            if ("ConfigMap".equals(object.path("kind").asText())) {
                assertThat(object.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
                dashboard = MonitoringFiles.YAML.readTree(object.at("/data/headstart-dashboard.json").asText());
            }
        }
        assertThat(objects).containsExactlyInAnyOrder("PodMonitor/headstart-system/headstart",
                "PrometheusRule/headstart-system/headstart", "ConfigMap/headstart-system/headstart-grafana-dashboard");
        assertThat(dashboard).isEqualTo(MonitoringFiles.dashboard());
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
