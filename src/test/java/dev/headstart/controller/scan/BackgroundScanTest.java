package dev.headstart.controller.scan;

import dev.headstart.cluster.Component;
import dev.headstart.config.ConfigLoader;
import dev.headstart.report.PolicyReportSink;
import dev.headstart.rules.PriorityClassCatalog;
import dev.headstart.rules.PriorityClassSpec;
import dev.headstart.rules.RuleEngine;
import dev.headstart.rules.RuleResult;
import dev.headstart.rules.RuleSet;
import dev.headstart.rules.RuleSettings;
import dev.headstart.rules.RuleStatus;
import dev.headstart.rules.Workload;
import dev.headstart.testing.ComponentClient;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static dev.headstart.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

@EnableKubernetesMockClient(crud = true)
class BackgroundScanTest {

    KubernetesMockServer server;
    /** Fixtures; the code under test gets {@link #controller}, a client that identifies as the controller. */
    KubernetesClient client;
    private KubernetesClient controller;

    /** Test-only sink: what the scan handed over, by kind/namespace/name. */
    static final class RecordingSink implements PolicyReportSink {
        final Map<String, List<RuleResult>> submitted = new ConcurrentHashMap<>();

        @Override
        public void submit(Workload workload, List<RuleResult> results) {
            submitted.put(workload.kind().name() + " " + workload.namespace() + "/" + workload.name(), results);
        }
    }

    private final RecordingSink sink = new RecordingSink();
    private final MeterRegistry metrics = new SimpleMeterRegistry();
    private RuleEngine engine;
    private BackgroundScan scan;

    @BeforeEach
    void cluster() {
        controller = ComponentClient.of(Component.CONTROLLER, server, client);
        RuleSettings settings = ConfigLoader.load().ruleSettings();
        engine = new RuleEngine(RuleSet.standard(settings, PriorityClassCatalog.of(settings.priorityClassName(),
                new PriorityClassSpec(1000000, "PreemptLowerPriority"))), Set.of());
        namespace("apps", true);
        namespace("team-b", true);
        namespace("other", false);
        pod("apps", "web", null, "Running");
        pod("apps", "already-fine", "headstart-high", "Running");
        pod("apps", "finished", null, "Succeeded");
        pod("team-b", "api", null, "Pending");
        pod("other", "not-opted-in", null, "Running");
        client.apps().daemonSets().inNamespace("apps").resource(new DaemonSetBuilder()
                .withNewMetadata().withName("agent").withNamespace("apps").endMetadata()
                .withNewSpec()
                    .withNewSelector().addToMatchLabels("app", "agent").endSelector()
                    .withNewTemplate()
                        .withNewMetadata().addToLabels("app", "agent").endMetadata()
                        .withNewSpec().addNewContainer().withName("agent").withImage("agent:1.2").endContainer().endSpec()
                    .endTemplate()
                .endSpec().build()).create();
        client.apps().daemonSets().inNamespace("other").resource(new DaemonSetBuilder()
                .withNewMetadata().withName("hidden").withNamespace("other").endMetadata()
                .withNewSpec()
                    .withNewSelector().addToMatchLabels("app", "hidden").endSelector()
                    .withNewTemplate()
                        .withNewMetadata().addToLabels("app", "hidden").endMetadata()
                        .withNewSpec().addNewContainer().withName("c").withImage("hidden:1").endContainer().endSpec()
                    .endTemplate()
                .endSpec().build()).create();
    }

    @AfterEach
    void stop() {
        if (scan != null) {
            scan.stop();
        }
        controller.close();
    }

    private void namespace(String name, boolean optedIn) {
        NamespaceBuilder ns = new NamespaceBuilder().withNewMetadata().withName(name).endMetadata();
        if (optedIn) {
            ns.editMetadata().addToLabels("headstart.dev/inject", "enabled").endMetadata();
        }
        client.namespaces().resource(ns.build()).create();
    }

    private void pod(String namespace, String name, String priorityClass, String phase) {
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec()
                    .withPriorityClassName(priorityClass)
                    .addNewContainer().withName("app").withImage("registry.example/app:1.0").endContainer()
                .endSpec()
                .withNewStatus().withPhase(phase).endStatus()
                .build();
        client.pods().inNamespace(namespace).resource(pod).create();
    }

    private BackgroundScan scan(Optional<PolicyReportSink> sinkOrNone, Duration initialDelay) {
        return new BackgroundScan(() -> controller, () -> engine, () -> sinkOrNone,
                new ScanSettings(true, Duration.ofHours(1), initialDelay, 1), metrics);
    }

    @Test
    void submitsVerdictsForPodsAndDaemonSetsOfOptedInNamespacesOnly() {
        scan = scan(Optional.of(sink), Duration.ZERO);

        BackgroundScan.Summary summary = scan.scanOnce();

        assertThat(sink.submitted.keySet()).containsExactlyInAnyOrder(
                "POD apps/web", "POD apps/already-fine", "POD team-b/api", "DAEMON_SET apps/agent");
        assertThat(summary).isEqualTo(new BackgroundScan.Summary(2, 4, false));
        assertThat(status(sink.submitted.get("POD apps/web"), "priority-class")).isEqualTo(RuleStatus.FAIL);
        assertThat(status(sink.submitted.get("POD apps/already-fine"), "priority-class")).isEqualTo(RuleStatus.PASS);
        assertThat(sink.submitted.get("DAEMON_SET apps/agent")).isNotEmpty();
        assertThat(metrics.get("headstart.scan.workloads").counter().count()).isEqualTo(4.0);
        assertThat(metrics.get("headstart.scan.last.completed").gauge().value()).isPositive();
    }

    @Test
    void withoutAReportWriterTheScanIsSkipped() {
        scan = scan(Optional.empty(), Duration.ZERO);
        assertThat(scan.scanOnce()).isEqualTo(new BackgroundScan.Summary(0, 0, true));
        assertThat(metrics.get("headstart.scan.last.completed").gauge().value()).isZero();
    }

    @Test
    void startScansShortlyAfterLeadershipIsAcquired() {
        scan = scan(Optional.of(sink), Duration.ofMillis(100));
        scan.start();
        await(Duration.ofSeconds(10), "first scan", () -> sink.submitted.size() == 4);
        scan.stop();
        scan.stop();
    }

    private static RuleStatus status(List<RuleResult> results, String rule) {
        return results.stream().filter(r -> r.rule().name().equals(rule)).findFirst().orElseThrow().status();
    }
}
