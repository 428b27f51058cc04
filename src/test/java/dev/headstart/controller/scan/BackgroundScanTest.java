package dev.headstart.controller.scan;

import dev.headstart.cluster.Component;
import dev.headstart.config.ConfigLoader;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.controller.informers.SharedInformers;
import dev.headstart.report.PolicyReportSink;
import dev.headstart.rules.NamespaceAnnotations;
import dev.headstart.rules.PriorityClassCatalog;
import dev.headstart.rules.PriorityClassSpec;
import dev.headstart.rules.RuleEngine;
import dev.headstart.rules.RuleResult;
import dev.headstart.rules.RuleSet;
import dev.headstart.rules.RuleSettings;
import dev.headstart.rules.RuleStatus;
import dev.headstart.rules.Workload;
import dev.headstart.testing.ComponentClient;
import dev.headstart.testing.PriorityClasses;
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
    static class RecordingSink implements PolicyReportSink {
        final Map<String, List<RuleResult>> submitted = new ConcurrentHashMap<>();

        @Override
        public void submit(Workload workload, List<RuleResult> results) {
            submitted.put(workload.kind().name() + " " + workload.namespace() + "/" + workload.name(), results);
        }
    }

    private final RecordingSink sink = new RecordingSink();
    private final MeterRegistry metrics = new SimpleMeterRegistry();
    private SharedInformers informers;
    private BackgroundScan scan;
    /** What the scan's engine was built over, by the last scan. */
    private PriorityClassCatalog catalogSeen;

    /** The rules as configured, over the cluster inputs the scan hands over (as the webhook's engine is built). */
    private RuleEngine engine(PriorityClassCatalog catalog, NamespaceAnnotations namespaces) {
        catalogSeen = catalog;
        HeadstartConfig config = ConfigLoader.load();
        RuleSettings settings = config.ruleSettings();
        return new RuleEngine(RuleSet.standard(settings, config.priorityClassRule(catalog, namespaces)), Set.of());
    }

    @BeforeEach
    void cluster() {
        controller = ComponentClient.of(Component.CONTROLLER, server, client);
        informers = new SharedInformers(() -> controller, 100);
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
        namespace(name, optedIn, Map.of());
    }

    private void namespace(String name, boolean optedIn, Map<String, String> annotations) {
        NamespaceBuilder ns = new NamespaceBuilder().withNewMetadata().withName(name).withAnnotations(annotations)
                .endMetadata();
        if (optedIn) {
            ns.editMetadata().addToLabels("headstart.dev/inject", "enabled").endMetadata();
        }
        client.namespaces().resource(ns.build()).create();
    }

    private void pod(String namespace, String name, String priorityClass, String phase) {
        pod(namespace, name, priorityClass, null, null, phase);
    }

    /** A pod as the API server stores it: the Priority plugin has resolved its priority and policy. */
    private void pod(String namespace, String name, String priorityClass, Integer priority, String preemptionPolicy,
            String phase) {
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec()
                    .withPriorityClassName(priorityClass).withPriority(priority).withPreemptionPolicy(preemptionPolicy)
                    .addNewContainer().withName("app").withImage("registry.example/app:1.0").endContainer()
                .endSpec()
                .withNewStatus().withPhase(phase).endStatus()
                .build();
        client.pods().inNamespace(namespace).resource(pod).create();
    }

    private BackgroundScan scan(Optional<PolicyReportSink> sinkOrNone, Duration initialDelay) {
        return new BackgroundScan(() -> controller, informers, this::engine, () -> sinkOrNone,
                new ScanSettings(true, Duration.ofHours(1), initialDelay, 1), metrics);
    }

    /** A report as Headstart (or another tool, by its labels) left it, through the fixture client. */
    private void report(String namespace, String name, Map<String, String> labels, String kind, String uid) {
        report(dev.headstart.report.ReportApi.WGPOLICYK8S, namespace, name, labels, kind, uid);
    }

    private void report(dev.headstart.report.ReportApi api, String namespace, String name, Map<String, String> labels,
            String kind, String uid) {
        io.fabric8.kubernetes.api.model.GenericKubernetesResource report = new io.fabric8.kubernetes.api.model.GenericKubernetesResource();
        report.setApiVersion(api.apiVersion());
        report.setKind(api.kind());
        report.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace(namespace)
                .withLabels(labels).withCreationTimestamp("2026-01-01T00:00:00Z").build());
        report.setAdditionalProperty("scope", Map.of("apiVersion", "v1", "kind", kind, "name", "x", "uid", uid));
        client.genericKubernetesResources(api.context()).inNamespace(namespace).resource(report).create();
    }

    private List<String> reportNames() {
        return reportNames(dev.headstart.report.ReportApi.WGPOLICYK8S);
    }

    private List<String> reportNames(dev.headstart.report.ReportApi api) {
        return client.genericKubernetesResources(api.context()).inAnyNamespace()
                .list().getItems().stream().map(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())
                .sorted().toList();
    }

    /**
     * Issue 26, case 3: the scan deletes Headstart's own rule reports (by label) of opted-out
     * namespaces, of objects that no longer exist and of the old naming; never another tool's, nor
     * the image cache's, nor a live object's.
     */
    @Test
    void staleRuleReportsAreDeletedAndOnlyThose() {
        Map<String, String> rules = Map.of("app.kubernetes.io/managed-by", "headstart", "headstart.dev/report", "rules");
        Map<String, String> imageCache = Map.of("app.kubernetes.io/managed-by", "headstart");
        Map<String, String> kyverno = Map.of("app.kubernetes.io/managed-by", "kyverno");
        String webUid = client.pods().inNamespace("apps").withName("web").get().getMetadata().getUid();
        report("apps", "headstart-" + webUid, rules, "Pod", webUid);
        report("apps", "headstart-gone-uid", rules, "Pod", "gone-uid");
        report("apps", "headstart-pod-web", imageCache, "Pod", webUid);
        report("apps", "headstart-image-cache-web", imageCache, "Pod", webUid);
        report("apps", "gone-uid", kyverno, "Pod", "gone-uid");
        report("other", "headstart-opted-out", rules, "Pod", "some-uid");
        report("other", "kyverno-report", kyverno, "Pod", "some-uid");

        scan = scan(Optional.of(sink), Duration.ZERO);
        scan.scanOnce();

        assertThat(reportNames()).containsExactly("apps/gone-uid", "apps/headstart-" + webUid,
                "apps/headstart-image-cache-web", "other/kyverno-report");
        assertThat(metrics.counter("headstart.reports.deleted").count()).isEqualTo(3);
    }

    /**
     * Issue 26, case 5: once reports go to OpenReports, the scan sweeps openreports.io for stale
     * reports and deletes every Headstart rule report left in wgpolicyk8s.io (policy-reporter reads
     * both and would show each verdict twice); the image cache's and other tools' stay.
     */
    @Test
    void afterTheSwitchToOpenReportsTheOldWgpolicyRuleReportsAreDeleted() {
        var openReports = dev.headstart.report.ReportApi.OPENREPORTS;
        Map<String, String> rules = Map.of("app.kubernetes.io/managed-by", "headstart", "headstart.dev/report", "rules");
        Map<String, String> imageCache = Map.of("app.kubernetes.io/managed-by", "headstart");
        Map<String, String> kyverno = Map.of("app.kubernetes.io/managed-by", "kyverno");
        String webUid = client.pods().inNamespace("apps").withName("web").get().getMetadata().getUid();
        report("apps", "headstart-" + webUid, rules, "Pod", webUid);
        report("apps", "headstart-image-cache-web", imageCache, "Pod", webUid);
        report("apps", "kyverno-old", kyverno, "Pod", webUid);
        report(openReports, "apps", "headstart-" + webUid, rules, "Pod", webUid);
        report(openReports, "apps", "headstart-gone-uid", rules, "Pod", "gone-uid");
        report(openReports, "other", "headstart-opted-out", rules, "Pod", "some-uid");
        report(openReports, "apps", "kyverno-new", kyverno, "Pod", "gone-uid");

        RecordingSink toOpenReports = new RecordingSink() {
            @Override
            public dev.headstart.report.ReportApi reportApi() {
                return openReports;
            }
        };
        scan = scan(Optional.of(toOpenReports), Duration.ZERO);
        scan.scanOnce();

        assertThat(reportNames(openReports)).containsExactly("apps/headstart-" + webUid, "apps/kyverno-new");
        assertThat(reportNames()).containsExactly("apps/headstart-image-cache-web", "apps/kyverno-old");
        assertThat(metrics.counter("headstart.reports.deleted").count()).isEqualTo(3);
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

    /**
     * The webhook's inputs, from the controller's shared caches: the cluster's globalDefault class
     * (a pod the Priority plugin gave it has chosen nothing) and a namespace's
     * {@code headstart.dev/priority-class} choice. Before, the scan's catalog was empty and it judged
     * the first "class chosen" and the second "no class" — the opposite of /validate.
     */
    @Test
    void judgesWithTheClusterPriorityClassesAndTheNamespacesChoice() {
        PriorityClasses.create(client, PriorityClasses.tenantDefault(), PriorityClasses.headstartHigh());
        namespace("batch", true, Map.of("headstart.dev/priority-class", "none"));
        pod("apps", "filled-by-the-plugin", "tenant-default", 100, "Never", "Running");
        pod("batch", "runner", "tenant-default", 100, "Never", "Running");
        scan = scan(Optional.of(sink), Duration.ZERO);

        assertThat(scan.scanOnce().skipped()).isFalse();

        RuleResult filled = result(sink.submitted.get("POD apps/filled-by-the-plugin"), "priority-class");
        assertThat(filled.status()).isEqualTo(RuleStatus.FAIL);
        assertThat(filled.findings()).singleElement().asString()
                .contains("pod has the cluster's default PriorityClass tenant-default, not headstart-high");
        assertThat(status(sink.submitted.get("POD batch/runner"), "priority-class")).isEqualTo(RuleStatus.PASS);
        assertThat(catalogSeen.find("headstart-high")).contains(new PriorityClassSpec(1000000, "PreemptLowerPriority"));
    }

    @Test
    void theCachesAreHeldUntilStopAndSharedWithTheOtherReconcilers() {
        scan = scan(Optional.of(sink), Duration.ZERO);
        scan.scanOnce();
        scan.scanOnce();
        assertThat(informers.active()).containsExactly("namespaces/opted-in", "priorityclasses");
        scan.stop();
        assertThat(informers.active()).isEmpty();
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
        await(Duration.ofSeconds(30), "first scan", () -> sink.submitted.size() == 4);
        scan.stop();
        scan.stop();
    }

    private static RuleStatus status(List<RuleResult> results, String rule) {
        return result(results, rule).status();
    }

    private static RuleResult result(List<RuleResult> results, String rule) {
        return results.stream().filter(r -> r.rule().name().equals(rule)).findFirst().orElseThrow();
    }
}
