package dev.headstart.controller.scan;

import dev.headstart.admission.AdmissionMetrics;
import dev.headstart.admission.RuleEngineProducer;
import dev.headstart.cluster.AlwaysPullImagesDetector;
import dev.headstart.cluster.CachedNamespaceAnnotations;
import dev.headstart.cluster.CachedPriorityClasses;
import dev.headstart.controller.CallSpacing;
import dev.headstart.controller.DaemonScheduler;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.controller.LeaderTask;
import dev.headstart.controller.OnChange;
import dev.headstart.controller.informers.ControllerKinds;
import dev.headstart.controller.informers.SharedInformers;
import dev.headstart.controller.informers.Subscription;
import dev.headstart.json.Json;
import dev.headstart.report.PolicyReportSink;
import dev.headstart.rules.NamespaceAnnotations;
import dev.headstart.rules.PriorityClassCatalog;
import dev.headstart.rules.RuleEngine;
import dev.headstart.rules.Workload;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
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
 *
 * <p>The rules see what the webhook's see: the cluster's PriorityClasses (value, policy, the
 * {@code globalDefault} class) and the namespaces' {@code headstart.dev/priority-class} choice, read
 * from the controller's shared caches ({@link ControllerKinds#PRIORITY_CLASSES},
 * {@link ControllerKinds#OPTED_IN_NAMESPACES}, which also names the namespaces to scan) through the
 * same catalog code and engine wiring as the webhook's informers, so a scan's report and an
 * admission's answer agree for the same pod. The caches are held from the first scan until the
 * leadership ends; a scan waits for them to sync, and is skipped when they have not.
 */
@Singleton
public class BackgroundScan implements LeaderTask {

    private static final Logger LOG = Logger.getLogger(BackgroundScan.class);

    /** How long a scan waits for its caches' first lists before it is skipped (they go on retrying). */
    static final Duration CACHE_WAIT = Duration.ofSeconds(60);

    /** What one scan did. */
    public record Summary(int namespaces, int workloads, boolean skipped) {
    }

    private final Supplier<KubernetesClient> clients;
    private final SharedInformers informers;
    private final BiFunction<PriorityClassCatalog, NamespaceAnnotations, RuleEngine> engines;
    private final Supplier<Optional<PolicyReportSink>> sinks;
    private final ScanSettings settings;
    private final Counter evaluated;
    private final Counter deleted;
    private final AtomicLong lastCompleted = new AtomicLong();
    private volatile ScheduledExecutorService executor;
    /** The caches the rules read, from the first scan until {@link #stop()}; guarded by this. */
    private Caches caches;

    /** The shared caches a scan reads: every PriorityClass, and the opted-in namespaces. */
    private record Caches(Subscription<PriorityClass> classes, Subscription<Namespace> namespaces) {

        /** Waits for both first lists; false when they have not synced within {@link #CACHE_WAIT}. */
        boolean awaitSynced() {
            try {
                CompletableFuture.allOf(classes.started(), namespaces.started())
                        .get(CACHE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // stopping
                return false;
            } catch (ExecutionException | TimeoutException e) {
                // Not synced (or closed by a stop): the informers go on retrying; the next scan waits again.
            }
            return classes.hasSynced() && namespaces.hasSynced();
        }

        void close() {
            classes.close();
            namespaces.close();
        }
    }

    @Inject
    public BackgroundScan(HeadstartConfig config, Instance<KubernetesClient> client, SharedInformers informers,
            AlwaysPullImagesDetector alwaysPullImages, AdmissionMetrics metrics, Instance<PolicyReportSink> sink,
            MeterRegistry registry) {
        this(client::get, informers,
                (catalog, namespaces) -> RuleEngineProducer.engine(config, catalog, namespaces, alwaysPullImages, metrics),
                () -> sink.isResolvable() ? Optional.of(sink.get()) : Optional.empty(), ScanSettings.from(config), registry);
    }

    /**
     * @param engines the rule engine over the cluster inputs the scan reads (as the webhook's is built)
     */
    public BackgroundScan(Supplier<KubernetesClient> clients, SharedInformers informers,
            BiFunction<PriorityClassCatalog, NamespaceAnnotations, RuleEngine> engines,
            Supplier<Optional<PolicyReportSink>> sinks, ScanSettings settings, MeterRegistry registry) {
        this.clients = clients;
        this.informers = informers;
        this.engines = engines;
        this.sinks = sinks;
        this.settings = settings;
        this.evaluated = Counter.builder("headstart.scan.workloads")
                .description("Workloads the background scan evaluated and submitted for reporting")
                .register(registry);
        this.deleted = Counter.builder("headstart.reports.deleted")
                .description("Headstart's rule reports deleted by the scan: namespace opted out, object gone, old name")
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
        // A standby holds no cache: the shared informers stop with their last subscriber.
        if (caches != null) {
            caches.close();
            caches = null;
        }
    }

    /** The caches, subscribed to by the first scan after a start. */
    private synchronized Caches caches() {
        if (caches == null) {
            caches = new Caches(informers.subscribe(ControllerKinds.PRIORITY_CLASSES, OnChange.run(() -> { })),
                    informers.subscribe(ControllerKinds.OPTED_IN_NAMESPACES, OnChange.run(() -> { })));
        }
        return caches;
    }

    /** One full pass over the opted-in namespaces. */
    public Summary scanOnce() {
        Optional<PolicyReportSink> sink = sinks.get();
        if (sink.isEmpty()) {
            LOG.info("background scan skipped: no PolicyReport writer in this build");
            return new Summary(0, 0, true);
        }
        long started = System.nanoTime();
        Caches read = caches();
        if (!read.awaitSynced()) {
            LOG.info("background scan skipped: the PriorityClass and namespace caches have not synced yet");
            return new Summary(0, 0, true);
        }
        Subscription<PriorityClass> classes = read.classes();
        Subscription<Namespace> optedIn = read.namespaces();
        RuleEngine engine = engines.apply(new CachedPriorityClasses(classes::hasSynced, classes::get, classes::list),
                new CachedNamespaceAnnotations(optedIn::hasSynced, optedIn::get));
        KubernetesClient client = clients.get();
        // The opted-in namespaces are the cache's (label headstart.dev/inject=enabled), in name order.
        List<String> namespaces = optedIn.keys().stream().sorted().toList();
        int[] workloads = {0};
        java.time.Instant scanStarted = java.time.Instant.now();
        java.util.Map<String, java.util.Set<String>> seenUids = new java.util.HashMap<>();
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
            String uid = workload.metadata().path("uid").asText("");
            if (!uid.isEmpty()) {
                seenUids.computeIfAbsent(workload.namespace(), n -> new java.util.HashSet<>()).add(uid);
            }
            pace.acquire(1);
            sink.get().submitStored(workload, engine.evaluate(workload));
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
            // Only after a whole pass: a namespace cut short would make its reports look stale.
            int deleted = ReportCleanup.sweep(client, sink.get().reportApi(), java.util.Set.copyOf(namespaces),
                    seenUids, scanStarted, settings.pageSize());
            this.deleted.increment(deleted);
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
