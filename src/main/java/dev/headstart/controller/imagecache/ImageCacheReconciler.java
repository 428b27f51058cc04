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
import dev.headstart.imagecache.CacheGroup;
import dev.headstart.imagecache.CachePlan;
import dev.headstart.imagecache.CachePolicy;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import dev.headstart.imagecache.CachedImage;
import dev.headstart.imagecache.ImageState;
import dev.headstart.imagecache.NodeFacts;
import dev.headstart.imagecache.WorkloadDemand;
import dev.headstart.imagecache.WorkloadTemplate;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
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
 * Keeps the DaemonSets of every {@link CacheGroup} of the planner's {@link CachePlan} (one, or a
 * large group's shards, {@link ImageCacheShards}, each template under 16 KiB): shared
 * groups in Headstart's namespace, namespace groups (images that need a namespace's pull secrets)
 * in that namespace. Inputs are the controller's shared informers: the opted-in namespaces, their
 * workloads, ServiceAccounts and HPAs ({@link OptedInInformers}: nothing of other namespaces is
 * listed), all nodes (only added, deleted, and label, taint, allocatable or cordon changes count:
 * heartbeats and Headstart's own membership labels cause nothing), RuntimeClasses, Headstart's
 * cache DaemonSets and their pods. Any change asks for one debounced, cluster-wide pass that plans
 * again when a plan input changed and then reads the cache pods' statuses: nodes get the membership
 * labels of the groups the plan gives them ({@code CacheMembership}), then DaemonSets (which select
 * those labels) are written only when their pod-template hash differs, and deleted only when they
 * carry Headstart's labels and the plan no longer has them (the old per-namespace
 * {@code headstart-image-cache} included). The status side feeds the metrics, Events and
 * PolicyReports of failed images ({@link ImageCacheStatusPass}, {@link FailedImageReporter}), learns
 * image platforms from pull failures ({@link KnownPlatforms}) and publishes the plan for the warm pool ({@link ImageCacheView}).
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
    /** The kinds read per opted-in namespace: the workloads, and ServiceAccounts for their pull secrets. */
    static final List<NamespacedKind<?>> KINDS = Stream.concat(ControllerKinds.WORKLOADS.stream(),
            Stream.of(ControllerKinds.SERVICE_ACCOUNTS, ControllerKinds.AUTOSCALERS)).toList();

    private final Supplier<KubernetesClient> client;
    private final SharedInformers informers;
    private final ImageCacheSettings settings;
    private final ImageCacheView view;
    private final ImageCacheMetrics metrics;
    private final KnownPlatforms platforms;
    private final FailedImageReporter reporter;
    private final ImageCacheStatusPass statusPass;
    private final NodeMembershipLabels membership;
    private final boolean active;
    private final AtomicBoolean planDirty = new AtomicBoolean();
    private final AtomicBoolean statusDirty = new AtomicBoolean();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Plans computed and DaemonSet writes made, for tests that must know a pass happened and wrote nothing. */
    private final AtomicLong plans = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
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
    private final Set<String> warnedNotOurs = new TreeSet<>();

    @Inject
    public ImageCacheReconciler(HeadstartConfig config, ClusterAccess cluster, Instance<KubernetesClient> client,
            SharedInformers informers, ImageCacheView view, MeterRegistry registry) {
        this(client::get, informers, ImageCacheSettings.from(config), view, new ImageCacheMetrics(registry),
                config.isController() && cluster.enabled() && config.imageCache().enabled());
    }

    public ImageCacheReconciler(Supplier<KubernetesClient> client, SharedInformers informers, ImageCacheSettings settings,
            ImageCacheView view, ImageCacheMetrics metrics, boolean active) {
        this.client = client;
        this.informers = informers;
        this.settings = settings;
        this.view = view;
        this.metrics = metrics;
        this.active = active;
        this.platforms = new KnownPlatforms();
        this.reporter = new FailedImageReporter(client, Clock.systemUTC());
        this.statusPass = new ImageCacheStatusPass(metrics, reporter);
        this.membership = new NodeMembershipLabels(client);
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
    public synchronized void stop() {
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
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
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

    /** Plans from the informers and brings the DaemonSets in line. */
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
        List<WorkloadTemplate> templates = new ArrayList<>();
        Map<String, List<WorkloadRef>> imageUsers = new TreeMap<>();
        for (String namespace : opted) {
            templates(current, namespace, templates, imageUsers);
        }
        List<Node> nodeList = nodes.list();
        List<NodeFacts> facts = nodeList.stream().map(NodeFacts::of).toList();
        Set<String> architectures = nodeList.stream().map(n -> label(n, ARCH_LABEL)).filter(Objects::nonNull)
                .collect(Collectors.toCollection(TreeSet::new));
        CachePolicy configured = settings.policy();
        KnownPlatforms.Learned learned = platforms.learned(configured, imageUsers.keySet(), architectures);
        List<String> excluded = new ArrayList<>(configured.excludedImages());
        excluded.addAll(learned.nowhere()); // no node of this cluster can run them
        CachePolicy policy = new CachePolicy(configured.sharedNamespace(), configured.maxPodsPerNode(), excluded,
                configured.nodeCredentialRegistries(), configured.transientTaintKeys(), configured.cacheTolerations(),
                learned.architectures());
        Map<String, RuntimeClass> classes = new HashMap<>();
        runtimeClasses.list().forEach(rc -> classes.put(rc.getMetadata().getName(), rc));
        CachePlan plan = CachePlan.of(templates, facts, classes, policy);
        // Members first: a DaemonSet written before its nodes carry its label would run nowhere.
        membership.apply(nodeList, plan);

        Map<String, DaemonSet> desired = new LinkedHashMap<>();
        Map<String, List<ImageCacheView.Shard>> shards = new HashMap<>();
        for (CacheGroup group : plan.groups()) {
            for (DaemonSet daemonSet : ImageCacheShards.build(group, settings)) {
                desired.put(key(daemonSet), daemonSet);
                shards.computeIfAbsent(group.id(), id -> new ArrayList<>()).add(ImageCacheView.Shard.of(daemonSet));
            }
        }
        Map<String, DaemonSet> existing = new HashMap<>();
        caches.list().forEach(d -> existing.put(key(d), d));
        for (DaemonSet want : desired.values()) {
            write(want, existing.get(key(want)));
        }
        for (DaemonSet have : existing.values()) {
            if (ImageCacheDaemonSet.isOurs(have) && !desired.containsKey(key(have))) {
                client.get().apps().daemonSets().inNamespace(have.getMetadata().getNamespace())
                        .withName(have.getMetadata().getName()).delete();
                writes.incrementAndGet();
                LOG.infof("image cache: %s/%s removed (no longer planned)", have.getMetadata().getNamespace(),
                        have.getMetadata().getName());
            }
        }
        view.publish(new ImageCacheView.Snapshot(plan, shards,
                nodeList.stream().map(n -> n.getMetadata().getName()).collect(Collectors.toSet())));
        users = imageUsers;
        overCap(plan);
        plans.incrementAndGet();
        statusDirty.set(true);
    }

    private void write(DaemonSet want, DaemonSet have) {
        String namespace = want.getMetadata().getNamespace();
        String name = want.getMetadata().getName();
        var resource = client.get().apps().daemonSets().inNamespace(namespace).withName(name);
        if (have != null && !ImageCacheDaemonSet.isOurs(have)) {
            warnNotOurs(namespace + "/" + name);
            return;
        }
        if (have == null) {
            try {
                client.get().apps().daemonSets().inNamespace(namespace).resource(want).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409) {
                    warnNotOurs(namespace + "/" + name); // exists without our labels
                    return;
                }
                throw e;
            }
            writes.incrementAndGet();
            LOG.infof("image cache: %s/%s created with %d images", namespace, name, images(want).size());
        } else if (!Objects.equals(ImageCacheDaemonSet.hashOf(have), ImageCacheDaemonSet.hashOf(want))) {
            resource.edit(current -> new DaemonSetBuilder(current)
                    .editMetadata()
                        .addToLabels(want.getMetadata().getLabels())
                        .addToAnnotations(want.getMetadata().getAnnotations())
                    .endMetadata()
                    .editSpec()
                        .withTemplate(want.getSpec().getTemplate())
                        .withUpdateStrategy(want.getSpec().getUpdateStrategy())
                    .endSpec()
                    .build());
            writes.incrementAndGet();
            LOG.infof("image cache: %s/%s updated to %d images", namespace, name, images(want).size());
        }
    }

    private synchronized void warnNotOurs(String key) {
        if (warnedNotOurs.add(key)) {
            LOG.warnf("image cache: %s exists and is not managed by Headstart; leaving it alone", key);
        }
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

    /** The opted-in namespace's workloads as the planner's templates, and who uses which image. */
    private void templates(OptedInInformers current, String namespace, List<WorkloadTemplate> templates,
            Map<String, List<WorkloadRef>> imageUsers) {
        Map<String, List<String>> accountSecrets = new HashMap<>();
        for (ServiceAccount account : current.inNamespace(ControllerKinds.SERVICE_ACCOUNTS, namespace)) {
            accountSecrets.put(account.getMetadata().getName(), account.getImagePullSecrets() == null ? List.of()
                    : account.getImagePullSecrets().stream().map(LocalObjectReference::getName)
                            .filter(n -> n != null && !n.isBlank()).toList());
        }
        Set<String> autoscaled = new java.util.HashSet<>();
        for (HorizontalPodAutoscaler hpa : current.inNamespace(ControllerKinds.AUTOSCALERS, namespace)) {
            if (hpa.getSpec() != null && hpa.getSpec().getScaleTargetRef() != null) {
                autoscaled.add(hpa.getSpec().getScaleTargetRef().getKind() + "/" + hpa.getSpec().getScaleTargetRef().getName());
            }
        }
        List<HasMetadata> objects = new ArrayList<>();
        objects.addAll(current.inNamespace(ControllerKinds.DEPLOYMENTS, namespace));
        objects.addAll(current.inNamespace(ControllerKinds.STATEFUL_SETS, namespace));
        objects.addAll(current.inNamespace(ControllerKinds.DAEMON_SETS, namespace));
        objects.addAll(current.inNamespace(ControllerKinds.CRON_JOBS, namespace));
        for (HasMetadata object : objects) {
            PodSpec spec = podSpec(object);
            if (spec == null || managedByHeadstart(object)) {
                continue;
            }
            String kind = object.getClass().getSimpleName();
            String account = spec.getServiceAccountName() != null ? spec.getServiceAccountName()
                    : spec.getServiceAccount() != null ? spec.getServiceAccount() : "default";
            templates.add(new WorkloadTemplate(namespace, kind, object.getMetadata().getName(), spec,
                    accountSecrets.getOrDefault(account, List.of()),
                    WorkloadDemand.of(object, autoscaled.contains(kind + "/" + object.getMetadata().getName()))));
            WorkloadRef ref = new WorkloadRef(WorkloadRef.apiVersionOf(kind), kind, namespace,
                    object.getMetadata().getName(), object.getMetadata().getUid());
            Stream.concat(list(spec.getInitContainers()).stream(), list(spec.getContainers()).stream())
                    .map(Container::getImage).filter(Objects::nonNull).map(String::trim)
                    .filter(image -> !image.isEmpty() && !settings.excluded(image)).distinct()
                    .forEach(image -> imageUsers.computeIfAbsent(image, i -> new ArrayList<>()).add(ref));
        }
    }

    private static PodSpec podSpec(HasMetadata object) {
        if (object instanceof Deployment d && d.getSpec() != null && d.getSpec().getTemplate() != null) {
            return d.getSpec().getTemplate().getSpec();
        }
        if (object instanceof StatefulSet s && s.getSpec() != null && s.getSpec().getTemplate() != null) {
            return s.getSpec().getTemplate().getSpec();
        }
        if (object instanceof DaemonSet d && d.getSpec() != null && d.getSpec().getTemplate() != null) {
            return d.getSpec().getTemplate().getSpec();
        }
        if (object instanceof CronJob c && c.getSpec() != null && c.getSpec().getJobTemplate() != null
                && c.getSpec().getJobTemplate().getSpec() != null
                && c.getSpec().getJobTemplate().getSpec().getTemplate() != null) {
            return c.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
        }
        return null;
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
        if (node != null && nodeCache != null) {
            for (CachedImage image : ImageCacheCompletion.images(pod)) {
                if (image.state() != ImageState.CACHED && KnownPlatforms.platformFailure(image.message())) {
                    Node known = nodeCache.get(node);
                    String arch = known == null ? null : label(known, ARCH_LABEL);
                    if (arch != null && platforms.learnNotOn(image.image(), arch)) {
                        LOG.warnf("image cache: %s has no manifest for %s (node %s: %s); no longer placed on %s nodes",
                                image.image(), arch, node, image.message(), arch);
                        requestPlan();
                    }
                }
            }
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

    static boolean optedIn(Namespace namespace) {
        if (namespace == null || namespace.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        Map<String, String> labels = namespace.getMetadata().getLabels();
        Map<String, String> annotations = namespace.getMetadata().getAnnotations();
        return labels != null && "enabled".equals(labels.get(OPT_IN_LABEL))
                && (annotations == null || !"disabled".equalsIgnoreCase(String.valueOf(annotations.get(SWITCH_ANNOTATION)).trim()));
    }

    /** Headstart's own objects (cache DaemonSets, headroom pause pods) are not workloads to cache. */
    private static boolean managedByHeadstart(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return labels != null && ImageCacheDaemonSet.MANAGED_BY.equals(labels.get(ImageCacheDaemonSet.MANAGED_BY_LABEL));
    }

    private static String key(DaemonSet daemonSet) {
        return daemonSet.getMetadata().getNamespace() + "/" + daemonSet.getMetadata().getName();
    }

    private static List<String> images(DaemonSet daemonSet) {
        return daemonSet.getSpec().getTemplate().getSpec().getContainers().stream().map(Container::getImage).toList();
    }

    private static String label(Node node, String key) {
        Map<String, String> labels = node.getMetadata().getLabels();
        return labels == null ? null : labels.get(key);
    }

    private static <T> List<T> list(List<T> maybe) {
        return maybe == null ? List.of() : maybe;
    }

    long plans() {
        return plans.get();
    }

    long writes() {
        return writes.get();
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
