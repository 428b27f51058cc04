package dev.headstart.controller.imagecache;

import dev.headstart.cluster.ClusterAccess;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.controller.DaemonScheduler;
import dev.headstart.controller.LeaderTask;
import dev.headstart.controller.OnChange;
import dev.headstart.controller.informers.ControllerKinds;
import dev.headstart.controller.informers.NamespacedKind;
import dev.headstart.controller.informers.OptedInInformers;
import dev.headstart.controller.informers.SharedInformers;
import dev.headstart.controller.informers.Subscription;
import dev.headstart.imagecache.CachePlan;
import dev.headstart.imagecache.CachePolicy;
import dev.headstart.imagecache.CachedImage;
import dev.headstart.imagecache.NodeFacts;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Keeps the image cache in line with the cluster: its event wiring and one debounced pass, made of
 * named parts. Inputs are the controller's shared informers: the opted-in namespaces, their
 * workloads, ServiceAccounts and HPAs ({@link OptedInInformers}: nothing of other namespaces is
 * listed), all nodes (only added, deleted, and label, taint, allocatable or cordon changes count:
 * heartbeats and Headstart's own membership labels cause nothing), RuntimeClasses, Headstart's
 * cache DaemonSets and their pods. Any change asks for one debounced, cluster-wide pass that plans
 * again when a plan input changed and then reads the cache pods' statuses:
 * <ol>
 * <li>{@link ImageCacheInputs} reads the workloads as templates;</li>
 * <li>{@link ImageCachePlanner} (the engine {@code headstart images} runs too) plans the groups and
 *     their DaemonSets, one or a large group's shards ({@link ImageCacheShards});</li>
 * <li>{@link NodeMembershipLabels} labels each node with the groups the plan gives it;</li>
 * <li>{@link ImageCacheWriter} writes the DaemonSets (which select those labels) whose pod-template
 *     hash differs and deletes Headstart's that are no longer planned;</li>
 * <li>the plan goes to the warm pool ({@link ImageCacheView});</li>
 * <li>{@link ImageCacheStatusPass} counts the cache pods' states into metrics and reports failed
 *     images ({@link FailedImageReporter}); pull failures teach platforms ({@link KnownPlatforms}).</li>
 * </ol>
 * Inert until the leader election calls {@link #start()}.
 */
/* Found by type (LeaderTask) by the leader election, never injected by name. */
@Unremovable
@Singleton
public class ImageCacheReconciler implements LeaderTask {

    private static final Logger LOG = Logger.getLogger(ImageCacheReconciler.class);
    public static final String OPT_IN_LABEL = "headstart.dev/inject";
    public static final String SWITCH_ANNOTATION = "headstart.dev/image-cache";
    static final String ARCH_LABEL = "kubernetes.io/arch";
    private static final long RETRY_MILLIS = 10_000;
    /** How long a stop waits for a pass under way. */
    static final java.time.Duration STOP_WAIT = java.time.Duration.ofSeconds(30);
    /** The kinds read per opted-in namespace: the workloads, and ServiceAccounts for their pull secrets. */
    static final List<NamespacedKind<?>> KINDS = Stream.concat(ControllerKinds.WORKLOADS.stream(),
            Stream.of(ControllerKinds.SERVICE_ACCOUNTS, ControllerKinds.AUTOSCALERS)).toList();

    private final SharedInformers informers;
    private final ImageCacheSettings settings;
    private final ImageCacheView view;
    private final ImageCacheMetrics metrics;
    private final KnownPlatforms platforms;
    private final FailedImageReporter reporter;
    private final ImageCacheStatusPass statusPass;
    private final NodeMembershipLabels membership;
    private final ImageCacheWriter writer;
    private final boolean active;
    private final AtomicBoolean planDirty = new AtomicBoolean();
    private final AtomicBoolean statusDirty = new AtomicBoolean();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Plans computed and status passes made, for tests that must know a pass happened. */
    private final AtomicLong plans = new AtomicLong();
    private final AtomicLong statusPasses = new AtomicLong();
    private ScheduledExecutorService executor;
    /** Until every informer has listed, nothing is known: do nothing. */
    private volatile boolean synced;
    private OptedInInformers workloads;
    private Subscription<Namespace> namespaceEvents;
    private Subscription<Node> nodes;
    private Subscription<RuntimeClass> runtimeClasses;
    private Subscription<DaemonSet> caches;
    private Subscription<Pod> pods;
    /** From the last plan: image → the workloads that use it. */
    private volatile Map<String, List<WorkloadRef>> users = Map.of();
    private volatile Map<String, List<String>> lastOverCap = Map.of();

    @Inject
    public ImageCacheReconciler(HeadstartConfig config, ClusterAccess cluster, Instance<KubernetesClient> client,
            SharedInformers informers, ImageCacheView view, MeterRegistry registry) {
        this(client::get, informers, ImageCacheSettings.from(config), view, new ImageCacheMetrics(registry),
                config.isController() && cluster.enabled() && config.imageCache().enabled());
    }

    public ImageCacheReconciler(Supplier<KubernetesClient> client, SharedInformers informers, ImageCacheSettings settings,
            ImageCacheView view, ImageCacheMetrics metrics, boolean active) {
        this.informers = informers;
        this.settings = settings;
        this.view = view;
        this.metrics = metrics;
        this.active = active;
        this.platforms = new KnownPlatforms();
        this.reporter = new FailedImageReporter(client, Clock.systemUTC());
        this.statusPass = new ImageCacheStatusPass(metrics, reporter);
        this.membership = new NodeMembershipLabels(client);
        this.writer = new ImageCacheWriter(client);
    }

    @Override
    public String name() {
        return "image-cache";
    }

    @Override
    public synchronized void start() {
        if (!active || executor != null) {
            return;
        }
        ScheduledExecutorService current = DaemonScheduler.named("headstart-image-cache");
        executor = current;
        workloads = new OptedInInformers(informers, KINDS,
                OnChange.<HasMetadata>when(ImageCacheReconciler::planInputChanged, this::requestPlan),
                namespace -> requestPlan());
        namespaceEvents = informers.subscribe(ControllerKinds.OPTED_IN_NAMESPACES, OnChange.run(this::requestPlan));
        // Labels and taints decide placement; status heartbeats change neither.
        nodes = informers.subscribe(ControllerKinds.NODES, OnChange.<Node>when(
                (before, after) -> !NodeFacts.of(before).equals(NodeFacts.of(after)), this::requestPlan));
        runtimeClasses = informers.subscribe(ControllerKinds.RUNTIME_CLASSES, OnChange.run(this::requestPlan));
        // A cache's status moves with every pod; only an edit of what Headstart wrote matters.
        caches = informers.subscribe(ControllerKinds.IMAGE_CACHE_DAEMONSETS, OnChange.<DaemonSet>when(
                (before, after) -> !Objects.equals(ImageCacheDaemonSet.hashOf(before), ImageCacheDaemonSet.hashOf(after))
                        || !Objects.equals(before.getMetadata().getLabels(), after.getMetadata().getLabels()),
                this::requestPlan));
        pods = informers.subscribe(ControllerKinds.IMAGE_CACHE_PODS, new OnChange<>(this::podChanged,
                pod -> requestStatus()));
        Subscription<Namespace> namespaces = workloads.namespaces();
        CompletableFuture.allOf(namespaces.started(), nodes.started(), runtimeClasses.started(), caches.started(),
                pods.started()).thenRun(() -> {
            synchronized (this) {
                if (executor == current) {
                    synced = true;
                }
            }
            requestPlan();
        });
    }

    @Override
    public void stop() {
        ScheduledExecutorService stopping;
        synchronized (this) {
            synced = false;
            if (workloads != null) {
                workloads.close();
                Stream.of(namespaceEvents, nodes, runtimeClasses, caches, pods).filter(Objects::nonNull)
                        .forEach(Subscription::close);
                workloads = null;
                namespaceEvents = null;
                nodes = null;
                runtimeClasses = null;
                caches = null;
                pods = null;
            }
            stopping = executor;
            if (executor != null) {
                executor.shutdownNow();
                executor = null;
            }
        }
        // A pass already under way is not stopped by the interrupt while it plans (only its API calls
        // are): wait for it, outside the lock (its retry asks for it), so nothing it publishes or
        // counts outlives the stop below.
        if (stopping != null) {
            try {
                if (!stopping.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warnf("image cache: a pass still running %d s after the stop", STOP_WAIT.toSeconds());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (executor != null) {
                return; // started again meanwhile: that run's state stays
            }
            clearState();
        }
    }

    private void clearState() {
        planDirty.set(false);
        statusDirty.set(false);
        scheduled.set(false);
        view.clear();
        metrics.reset();
        reporter.forget();
        platforms.forget();
        users = Map.of();
        lastOverCap = Map.of();
    }

    private void requestPlan() {
        planDirty.set(true);
        schedule(settings.debounce().toMillis());
    }

    private void requestStatus() {
        statusDirty.set(true);
        schedule(settings.debounce().toMillis());
    }

    /** Collapses a burst of changes into one pass after the debounce window. */
    private synchronized void schedule(long delayMillis) {
        if (!synced || executor == null || !scheduled.compareAndSet(false, true)) {
            return;
        }
        executor.schedule(this::pass, delayMillis, TimeUnit.MILLISECONDS);
    }

    private void pass() {
        scheduled.set(false);
        try {
            if (planDirty.getAndSet(false)) {
                plan();
            }
            if (statusDirty.getAndSet(false)) {
                status();
            }
        } catch (KubernetesClientException e) {
            LOG.warnf("image cache not reconciled, retrying: %s", e.getMessage());
            planDirty.set(true);
            schedule(RETRY_MILLIS);
        } catch (RuntimeException e) {
            LOG.errorf(e, "image cache not reconciled, retrying: %s", e.toString());
            planDirty.set(true);
            schedule(RETRY_MILLIS);
        }
    }

    /** Plans from the informers: membership labels on the nodes first, then the DaemonSets. */
    void plan() {
        OptedInInformers current = workloads;
        if (current == null || !synced) {
            return;
        }
        List<String> opted = current.namespaces().list().stream().filter(ImageCacheReconciler::optedIn)
                .map(ns -> ns.getMetadata().getName()).sorted().toList();
        for (String namespace : opted) {
            if (!current.synced(namespace)) {
                return; // its informers are still listing; they ask for a plan once they have
            }
        }
        ImageCacheInputs inputs = ImageCacheInputs.read(current, opted, settings);
        // One node rebuilt at a time: what the planner reads of each is small, a Node is not
        // (5,000 held at once were ~37 MiB, through the start-up's 5,000 label patches).
        Subscription<Node> nodeCache = nodes;
        List<NodeFacts> nodeFacts = new ArrayList<>();
        Set<String> architectures = new TreeSet<>();
        nodeCache.stream().forEach(node -> {
            nodeFacts.add(NodeFacts.of(node));
            String architecture = label(node, ARCH_LABEL);
            if (architecture != null) {
                architectures.add(architecture);
            }
        });
        Map<String, RuntimeClass> classes = new HashMap<>();
        runtimeClasses.list().forEach(rc -> classes.put(rc.getMetadata().getName(), rc));
        ImageCachePlanner.Planned planned = ImageCachePlanner.plan(inputs.templates(), nodeFacts, classes,
                platforms.applyTo(settings.policy(), inputs.imageUsers().keySet(), architectures), settings);
        // Members first: a DaemonSet written before its nodes carry its label would run nowhere.
        membership.apply(nodeCache.keys(), nodeCache::get, planned.plan());
        writer.apply(planned.all(), caches.list());
        Map<String, List<ImageCacheView.Shard>> shards = new HashMap<>();
        planned.daemonSets().forEach((id, daemonSets) -> shards.put(id, daemonSets.stream().map(ImageCacheView.Shard::of).toList()));
        view.publish(new ImageCacheView.Snapshot(planned.plan(), shards,
                nodeFacts.stream().map(NodeFacts::name).collect(Collectors.toSet())));
        users = inputs.imageUsers();
        overCap(planned.plan());
        plans.incrementAndGet();
        statusDirty.set(true);
    }

    private void overCap(CachePlan plan) {
        Map<String, List<String>> overCap = plan.overCapByNode() == null ? Map.of() : plan.overCapByNode();
        metrics.overCapNodes(overCap.size());
        if (!overCap.equals(lastOverCap)) {
            if (!overCap.isEmpty()) {
                LOG.warnf("image cache: %d nodes admit more groups than max-pods-per-node (%d); left out: %s",
                        overCap.size(), settings.maxPodsPerNode(), overCap.entrySet().stream().limit(10)
                                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))
                                + (overCap.size() > 10 ? ", …" : ""));
            }
            lastOverCap = Map.copyOf(overCap);
        }
    }

    /** Every (node, image) the plan puts somewhere, by state; failed images to their reporter. */
    void status() {
        var snapshot = view.current();
        Subscription<Pod> current = pods;
        if (snapshot.isEmpty() || current == null) {
            return;
        }
        statusPass.run(snapshot.get(), current, users);
        statusPasses.incrementAndGet();
    }

    /** A cache pod changed: learn from platform failures, and count again. */
    private void podChanged(Pod pod) {
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        Subscription<Node> nodeCache = nodes;
        Node known = node == null || nodeCache == null ? null : nodeCache.get(node);
        String arch = known == null ? null : label(known, ARCH_LABEL);
        for (CachedImage image : platforms.learnFrom(pod, arch)) {
            LOG.warnf("image cache: %s has no manifest for %s (node %s: %s); no longer placed on %s nodes",
                    image.image(), arch, node, image.message(), arch);
            requestPlan();
        }
        requestStatus();
    }

    /**
     * A workload, ServiceAccount or HPA update that can change a template or a rank: a new
     * generation, labels, pull secrets, or another scale target.
     */
    static boolean planInputChanged(HasMetadata before, HasMetadata after) {
        if (before instanceof ServiceAccount a && after instanceof ServiceAccount b) {
            return !Objects.equals(a.getImagePullSecrets(), b.getImagePullSecrets());
        }
        if (before instanceof HorizontalPodAutoscaler a && after instanceof HorizontalPodAutoscaler b) {
            return !Objects.equals(a.getSpec() == null ? null : a.getSpec().getScaleTargetRef(),
                    b.getSpec() == null ? null : b.getSpec().getScaleTargetRef());
        }
        Long was = before.getMetadata().getGeneration();
        Long is = after.getMetadata().getGeneration();
        return was == null || is == null || !was.equals(is)
                || !Objects.equals(before.getMetadata().getLabels(), after.getMetadata().getLabels());
    }

    /** Labelled {@code headstart.dev/inject=enabled}, not being deleted, and the image cache not switched off by annotation. */
    public static boolean optedIn(Namespace namespace) {
        if (namespace == null || namespace.getMetadata() == null || namespace.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        Map<String, String> labels = namespace.getMetadata().getLabels();
        Map<String, String> annotations = namespace.getMetadata().getAnnotations();
        return labels != null && "enabled".equals(labels.get(OPT_IN_LABEL))
                && (annotations == null || !"disabled".equalsIgnoreCase(String.valueOf(annotations.get(SWITCH_ANNOTATION)).trim()));
    }

    private static String label(Node node, String key) {
        Map<String, String> labels = node.getMetadata().getLabels();
        return labels == null ? null : labels.get(key);
    }

    long plans() {
        return plans.get();
    }

    long writes() {
        return writer.writes();
    }

    long labelWrites() {
        return membership.writes();
    }

    long statusPasses() {
        return statusPasses.get();
    }

    /** The namespaces whose workloads are watched now (tests). */
    Set<String> watchedNamespaces() {
        OptedInInformers current = workloads;
        return current == null ? Set.of() : current.followed();
    }
}
