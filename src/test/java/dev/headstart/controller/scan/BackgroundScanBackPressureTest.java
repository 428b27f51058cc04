package dev.headstart.controller.scan;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import dev.headstart.cluster.Component;
import dev.headstart.testing.ComponentClient;
import dev.headstart.config.ConfigLoader;
import dev.headstart.controller.informers.SharedInformers;
import dev.headstart.report.PolicyReportSink;
import dev.headstart.rules.PriorityClassCatalog;
import dev.headstart.rules.PriorityClassSpec;
import dev.headstart.rules.RuleEngine;
import dev.headstart.rules.RuleResult;
import dev.headstart.rules.RuleSet;
import dev.headstart.rules.RuleSettings;
import dev.headstart.rules.Workload;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A writer slower than the scan, with a queue of 4 that drops its oldest entry when full (as
 * {@code PolicyReportWriter} does for admission): the scan waits for room instead, and every
 * workload's report is written.
 */
@EnableKubernetesMockClient(crud = true)
class BackgroundScanBackPressureTest {

    static final int PODS = 40;

    KubernetesMockServer server;
    KubernetesClient client;

    /** The writer's contract: bounded, latest wins, oldest dropped when full, drained slowly. */
    static final class SlowBoundedSink implements PolicyReportSink {
        final int capacity = 4;
        final LinkedHashMap<String, Boolean> queue = new LinkedHashMap<>();
        final Set<String> written = ConcurrentHashMap.newKeySet();
        int dropped;
        volatile boolean running = true;

        @Override
        public synchronized void submit(Workload workload, List<RuleResult> results) {
            String key = workload.namespace() + "/" + workload.name();
            queue.remove(key);
            if (queue.size() >= capacity) {
                Iterator<String> oldest = queue.keySet().iterator();
                oldest.next();
                oldest.remove();
                dropped++;
            }
            queue.put(key, Boolean.TRUE);
            notifyAll();
        }

        @Override
        public synchronized void awaitRoom() throws InterruptedException {
            while (queue.size() >= capacity / 2) {
                wait();
            }
        }

        void drain() {
            while (running) {
                String next;
                synchronized (this) {
                    Iterator<String> it = queue.keySet().iterator();
                    next = it.hasNext() ? it.next() : null;
                    if (next != null) {
                        it.remove();
                        notifyAll();
                    }
                }
                if (next != null) {
                    written.add(next);
                }
                try {
                    Thread.sleep(15); // one write to the API server
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    @Test
    void aFullQueueSlowsTheScanDownAndNoReportIsDropped() throws Exception {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("apps")
                .addToLabels("headstart.dev/inject", "enabled").endMetadata().build()).create();
        for (int i = 0; i < PODS; i++) {
            client.pods().inNamespace("apps").resource(new PodBuilder()
                    .withNewMetadata().withName("web-" + i).withNamespace("apps").endMetadata()
                    .withNewSpec().addNewContainer().withName("app").withImage("registry.example/app:1.0").endContainer()
                    .endSpec().withNewStatus().withPhase("Running").endStatus().build()).create();
        }
        RuleSettings settings = ConfigLoader.load().ruleSettings();
        RuleEngine engine = new RuleEngine(RuleSet.standard(settings, PriorityClassCatalog.of(settings.priorityClassName(),
                new PriorityClassSpec(1000000, "PreemptLowerPriority"))), Set.of());
        SlowBoundedSink sink = new SlowBoundedSink();
        Thread writer = new Thread(sink::drain, "test-writer");
        writer.start();
        try {
            // No pacing to speak of: only the back-pressure keeps the scan from overrunning the queue.
            KubernetesClient controller = ComponentClient.of(Component.CONTROLLER, server, client);
            BackgroundScan scan = new BackgroundScan(() -> controller, new SharedInformers(() -> controller, 100),
                    (catalog, namespaces) -> engine, () -> Optional.of(sink),
                    new ScanSettings(true, Duration.ofHours(1), Duration.ZERO, 7, 100_000), new SimpleMeterRegistry());

            BackgroundScan.Summary summary;
            try {
                summary = scan.scanOnce();
            } finally {
                scan.stop();
            }

            assertThat(summary.workloads()).isEqualTo(PODS);
            eventually(Duration.ofSeconds(10), () -> assertThat(sink.written).hasSize(PODS));
            synchronized (sink) {
                assertThat(sink.dropped).isZero();
            }
        } finally {
            sink.running = false;
            writer.interrupt();
        }
    }
}
