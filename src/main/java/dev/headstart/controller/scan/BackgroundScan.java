package dev.headstart.controller.scan;

import dev.headstart.controller.CallSpacing;
import dev.headstart.controller.DaemonScheduler;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.controller.LeaderTask;
import dev.headstart.json.Json;
import dev.headstart.report.PolicyReportSink;
import dev.headstart.rules.RuleEngine;
import dev.headstart.rules.Workload;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Re-evaluates the rules on existing Pods and DaemonSets in opted-in namespaces (label
 * {@code headstart.dev/inject=enabled}) and hands every verdict to the {@link PolicyReportSink},
 * so reports also cover what existed before Headstart was installed. Runs on the leader only:
 * shortly after leadership is acquired, then every {@code headstart.scan.interval}.
 *
 * <p>Lists are paged ({@code limit}/{@code continue}): at most one page of objects is in memory,
 * whatever the size of the cluster. Finished pods (Succeeded, Failed) are not evaluated. The scan
 * never makes the writer drop a report: before each one it waits while the write queue is half
 * full ({@link PolicyReportSink#awaitRoom}), and it hands over at most
 * {@code headstart.scan.reports-per-second}, so its writes are spread instead of arriving at once.
 */
@Singleton
public class BackgroundScan implements LeaderTask {

    private static final Logger LOG = Logger.getLogger(BackgroundScan.class);

    public static final String OPT_IN_LABEL = "headstart.dev/inject";
    public static final String OPT_IN_VALUE = "enabled";

    /** What one scan did. */
    public record Summary(int namespaces, int workloads, boolean skipped) {
    }

    private final Supplier<KubernetesClient> clients;
    private final Supplier<RuleEngine> engines;
    private final Supplier<Optional<PolicyReportSink>> sinks;
    private final ScanSettings settings;
    private final Counter evaluated;
    private final AtomicLong lastCompleted = new AtomicLong();
    private volatile ScheduledExecutorService executor;

    @Inject
    public BackgroundScan(HeadstartConfig config, Instance<KubernetesClient> client, Instance<RuleEngine> engine,
            Instance<PolicyReportSink> sink, MeterRegistry registry) {
        this(client::get, engine::get, () -> sink.isResolvable() ? Optional.of(sink.get()) : Optional.empty(),
                ScanSettings.from(config), registry);
    }

    public BackgroundScan(Supplier<KubernetesClient> clients, Supplier<RuleEngine> engines,
            Supplier<Optional<PolicyReportSink>> sinks, ScanSettings settings, MeterRegistry registry) {
        this.clients = clients;
        this.engines = engines;
        this.sinks = sinks;
        this.settings = settings;
        this.evaluated = Counter.builder("headstart.scan.workloads")
                .description("Workloads the background scan evaluated and submitted for reporting")
                .register(registry);
        Gauge.builder("headstart.scan.last.completed", lastCompleted, AtomicLong::get)
                .description("When the last full background scan finished (epoch seconds, 0 = never)")
                .baseUnit("seconds")
                .register(registry);
    }

    @Override
    public String name() {
        return "scan";
    }

    @Override
    public synchronized void start() {
        if (!settings.enabled() || executor != null) {
            return;
        }
        ScheduledExecutorService scheduler = DaemonScheduler.named("headstart-scan");
        executor = scheduler;
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                scanOnce();
            } catch (RuntimeException e) {
                LOG.warnf("background scan failed: %s", e.toString());
            }
        }, settings.initialDelay().toMillis(), settings.interval().toMillis(), TimeUnit.MILLISECONDS);
        LOG.infof("background scan every %s (first in %s)", settings.interval(), settings.initialDelay());
    }

    @Override
    public synchronized void stop() {
        ScheduledExecutorService scheduler = executor;
        executor = null;
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /** One full pass over the opted-in namespaces. */
    public Summary scanOnce() {
        Optional<PolicyReportSink> sink = sinks.get();
        if (sink.isEmpty()) {
            LOG.info("background scan skipped: no PolicyReport writer in this build");
            return new Summary(0, 0, true);
        }
        KubernetesClient client = clients.get();
        RuleEngine engine = engines.get();
        long started = System.nanoTime();
        List<String> namespaces = new ArrayList<>();
        paged(options -> client.namespaces().withLabel(OPT_IN_LABEL, OPT_IN_VALUE).list(options),
                (Namespace ns) -> namespaces.add(ns.getMetadata().getName()));
        int[] workloads = {0};
        CallSpacing pace = CallSpacing.perSecond(settings.reportsPerSecond());
        Consumer<Object> evaluate = object -> Workload.of(Json.MAPPER.valueToTree(object)).ifPresent(workload -> {
            if (interrupted()) {
                return;
            }
            try {
                sink.get().awaitRoom();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // stopping: the page loop ends
                return;
            }
            pace.acquire(1);
            sink.get().submit(workload, engine.evaluate(workload));
            evaluated.increment();
            workloads[0]++;
        });
        for (String namespace : namespaces) {
            if (interrupted()) {
                break;
            }
            paged(options -> client.pods().inNamespace(namespace).list(options), (Pod pod) -> {
                String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
                if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) {
                    evaluate.accept(pod);
                }
            });
            paged(options -> client.apps().daemonSets().inNamespace(namespace).list(options), evaluate::accept);
        }
        if (!interrupted()) {
            lastCompleted.set(System.currentTimeMillis() / 1000);
        }
        LOG.infof("background scan: %d workloads in %d opted-in namespaces in %d ms", workloads[0],
                namespaces.size(), (System.nanoTime() - started) / 1_000_000);
        return new Summary(namespaces.size(), workloads[0], false);
    }

    /** Lists page by page, handing each item on before the next page is fetched. */
    private <T extends HasMetadata, L extends KubernetesResourceList<T>> void paged(Function<ListOptions, L> list,
            Consumer<T> each) {
        paged(settings.pageSize(), list, each);
    }

    static <T extends HasMetadata, L extends KubernetesResourceList<T>> void paged(int pageSize,
            Function<ListOptions, L> list, Consumer<T> each) {
        String next = null;
        do {
            L page = list.apply(new ListOptionsBuilder().withLimit((long) pageSize).withContinue(next).build());
            page.getItems().forEach(each);
            next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
        } while (next != null && !next.isEmpty() && !interrupted());
    }

    private static boolean interrupted() {
        return Thread.currentThread().isInterrupted();
    }
}
