package dev.headstart.controller.warmpool;

import dev.headstart.controller.CallSpacing;
import dev.headstart.controller.OnChange;
import dev.headstart.controller.DaemonScheduler;
import dev.headstart.controller.informers.ControllerKinds;
import dev.headstart.controller.informers.SharedInformers;
import dev.headstart.controller.informers.Subscription;
import dev.headstart.cluster.ClusterAccess;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.controller.LeaderTask;
import dev.headstart.controller.imagecache.ImageCacheCompletion;
import dev.headstart.controller.imagecache.ImageCacheView;
import dev.headstart.controller.warmpool.AutoScalingGateway.InstanceLifecycle;
import dev.headstart.controller.warmpool.AutoScalingGateway.LifecycleCallResult;
import dev.headstart.controller.warmpool.WarmPoolAction.CompleteLifecycleAction;
import dev.headstart.controller.warmpool.WarmPoolAction.DeleteNode;
import dev.headstart.controller.warmpool.WarmPoolAction.MarkCacheComplete;
import dev.headstart.controller.warmpool.WarmPoolAction.MarkHeartbeat;
import dev.headstart.controller.warmpool.WarmPoolAction.RecordHeartbeat;
import dev.headstart.controller.warmpool.WarmPoolAction.RemoveWarmupTaint;
import dev.headstart.telemetry.NodeStartup;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.function.Supplier;

/**
 * Drives warm-pool nodes through their life: node changes that matter ({@link WarmNodeSignature}:
 * taints, readiness, instance; nodes added or deleted), image-cache pod changes and a periodic tick
 * run a pass over every node carrying the warm-up or the shutdown taint; each node's facts (Node
 * object, image-cache pods, Auto Scaling state) go through {@link WarmNodePlan} and the resulting
 * steps are executed in order, stopping at the first failure. One DescribeAutoScalingInstances per
 * 50 tainted nodes per pass, every Auto Scaling call spaced by {@link CallSpacing}; event-triggered
 * passes at most one per {@link #MIN_PASS_SPACING_MILLIS}. Node status heartbeats cause nothing.
 * No state is kept between passes. Reads the controller's shared node informer. Inert until
 * {@link #start()}.
 */
/* Found by type (LeaderTask) by the leader election, never injected by name. */
@Unremovable
@Singleton
public class WarmPoolReconciler implements LeaderTask {

    private static final Logger LOG = Logger.getLogger(WarmPoolReconciler.class);
    public static final String SHUTDOWN_TAINT = "node.cloudprovider.kubernetes.io/shutdown";
    public static final String CACHE_COMPLETED_AT = "headstart.dev/warm-cache-completed-at";
    public static final String HEARTBEAT_AT = "headstart.dev/warm-heartbeat-at";
    /** Node events live in the default namespace, where {@code kubectl describe node} finds them. */
    private static final String EVENT_NAMESPACE = "default";
    /** The reason of the Node Event naming images a warm node was let go without. */
    public static final String IMAGE_CACHE_FAILED = "ImageCacheFailed";
    private static final long EVENT_DELAY_MILLIS = 250;
    /** Event-triggered passes (each may describe every tainted node) are at least this far apart. */
    static final long MIN_PASS_SPACING_MILLIS = 1_000;
    private static final double DEFAULT_CALLS_PER_SECOND = 5;

    private final Supplier<KubernetesClient> client;
    private final Supplier<AutoScalingGateway> gatewayFactory;
    private final WarmPoolSettings settings;
    private final Duration tick;
    private final Clock clock;
    private final WarmPoolMetrics metrics;
    private final boolean active;
    private final AtomicBoolean passRequested = new AtomicBoolean();
    private final SharedInformers informers;
    private final double callsPerSecond;
    private final AtomicLong passes = new AtomicLong();
    private volatile long lastPassNanos;
    private AutoScalingGateway gateway;
    /** Until every informer has listed, a missing cache pod may just not be cached yet: do nothing. */
    private volatile boolean synced;
    private ScheduledExecutorService executor;
    private Subscription<Node> nodes;
    private Subscription<Pod> cachePods;
    /** What the image cache plans on each node: the cache is complete when that is there. */
    private final ImageCacheView cacheView;

    @Inject
    public WarmPoolReconciler(HeadstartConfig config, ClusterAccess cluster, Instance<KubernetesClient> client,
                              SharedInformers informers, ImageCacheView cacheView, MeterRegistry registry) {
        this(client::get, informers, config.warmPool().awsCallsPerSecond(),
                () -> SdkAutoScalingGateway.create(config.warmPool().region(), config.warmPool().endpoint()),
                WarmPoolSettings.from(config.warmPool()),
                Duration.ofSeconds(Math.max(1, config.warmPool().tickSeconds())),
                Clock.systemUTC(),
                new WarmPoolMetrics(registry),
                cacheView,
                config.isController() && cluster.enabled() && config.warmPool().enabled());
    }

    /** With informers of its own and no image cache (tests). */
    WarmPoolReconciler(Supplier<KubernetesClient> client, Supplier<AutoScalingGateway> gateway, WarmPoolSettings settings,
                       Duration tick, Clock clock, WarmPoolMetrics metrics, boolean active) {
        this(client, new SharedInformers(client, 500), DEFAULT_CALLS_PER_SECOND, gateway, settings, tick, clock, metrics,
                new ImageCacheView(false), active);
    }

    WarmPoolReconciler(Supplier<KubernetesClient> client, SharedInformers informers, double callsPerSecond,
                       Supplier<AutoScalingGateway> gateway, WarmPoolSettings settings,
                       Duration tick, Clock clock, WarmPoolMetrics metrics, ImageCacheView cacheView, boolean active) {
        this.client = client;
        this.informers = informers;
        this.callsPerSecond = callsPerSecond;
        this.gatewayFactory = gateway;
        this.settings = settings;
        this.tick = tick;
        this.clock = clock;
        this.metrics = metrics;
        this.cacheView = cacheView;
        this.active = active;
    }

    @Override
    public String name() {
        return "warm-pool";
    }

    @Override
    public synchronized void start() {
        if (!active || executor != null) {
            return;
        }
        ScheduledExecutorService current = DaemonScheduler.named("headstart-warm-pool");
        executor = current;
        nodes = informers.subscribe(ControllerKinds.NODES, OnChange.when(WarmNodeSignature::changed, this::requestPass));
        cachePods = informers.subscribe(ControllerKinds.IMAGE_CACHE_PODS, OnChange.run(this::requestPass));
        CompletableFuture.allOf(nodes.started(), cachePods.started()).thenRun(() -> {
            synchronized (this) {
                if (executor == current) {
                    synced = true;
                    current.scheduleWithFixedDelay(this::safePass, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        });
    }

    @Override
    public synchronized void stop() {
        synced = false;
        Stream.of(nodes, cachePods).filter(Objects::nonNull).forEach(Subscription::close);
        nodes = null;
        cachePods = null;
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
        passRequested.set(false);
    }

    /**
     * Node and cache-pod events: one extra pass shortly, however many events arrive meanwhile (a
     * burst of cache-pod status updates must not become a burst of Auto Scaling calls).
     */
    private synchronized void requestPass() {
        if (executor != null && passRequested.compareAndSet(false, true)) {
            long sinceLast = (System.nanoTime() - lastPassNanos) / 1_000_000;
            long delay = Math.max(EVENT_DELAY_MILLIS, MIN_PASS_SPACING_MILLIS - sinceLast);
            executor.schedule(() -> {
                passRequested.set(false);
                safePass();
            }, delay, TimeUnit.MILLISECONDS);
        }
    }

    private void safePass() {
        try {
            pass();
        } catch (RuntimeException e) {
            LOG.errorf("warm-pool pass failed: %s", e.toString());
        }
    }

    /** One look at every tainted node. */
    void pass() {
        if (!synced) {
            return;
        }
        lastPassNanos = System.nanoTime();
        passes.incrementAndGet();
        // From the taint index: only tainted nodes are rebuilt from the shared store.
        Map<String, Node> tainted = new java.util.TreeMap<>();
        Stream.concat(nodes.byIndex(ControllerKinds.TAINT_KEY_INDEX, settings.taint().key()).stream(),
                        nodes.byIndex(ControllerKinds.TAINT_KEY_INDEX, SHUTDOWN_TAINT).stream())
                .forEach(n -> tainted.putIfAbsent(n.getMetadata().getName(), n));
        List<Node> candidates = tainted.values().stream()
                .filter(n -> settings.taint().isOn(n) || shutdownTainted(n))
                .toList();
        Map<String, String> instanceIds = new HashMap<>();
        for (Node node : candidates) {
            ProviderId.instanceId(node.getSpec().getProviderID())
                    .ifPresent(id -> instanceIds.put(node.getMetadata().getName(), id));
        }
        Map<String, InstanceLifecycle> lifecycle = Map.of();
        if (!instanceIds.isEmpty()) {
            try {
                lifecycle = gateway().describe(instanceIds.values());
                metrics.lifecycleAction("describe", "ok");
            } catch (AutoScalingCallException e) {
                metrics.lifecycleAction("describe", e.kind().label());
                LOG.warnf("warm pool: %s", e.getMessage());
                return;
            } catch (RuntimeException e) {
                // e.g. no region configured and none discoverable
                metrics.lifecycleAction("describe", "failed");
                LOG.warnf("warm pool: cannot reach Auto Scaling: %s", e.getMessage());
                return;
            }
        }
        Map<WarmNodeState, Integer> counts = new EnumMap<>(WarmNodeState.class);
        Instant now = clock.instant();
        for (Node node : candidates) {
            String name = node.getMetadata().getName();
            Instant registered = parse(node.getMetadata().getCreationTimestamp()).orElse(now);
            ImageCacheCompletion cache = ImageCacheCompletion.of(name, cacheView,
                    cachePods.byIndex(ControllerKinds.NODE_NAME_INDEX, name));
            WarmNodeFacts facts = new WarmNodeFacts(
                    name,
                    settings.taint().isOn(node),
                    shutdownTainted(node),
                    cache.complete(),
                    cache.failedImages(),
                    registered,
                    annotation(node, CACHE_COMPLETED_AT).flatMap(WarmPoolReconciler::parse),
                    annotation(node, HEARTBEAT_AT).flatMap(WarmPoolReconciler::parse),
                    Optional.ofNullable(instanceIds.get(name)).map(lifecycle::get),
                    now,
                    EksManagedNodeGroup.contains(node));
            WarmNodePlan plan = WarmNodePlan.of(facts, settings);
            counts.merge(plan.state(), 1, Integer::sum);
            execute(node, facts, plan.actions());
        }
        metrics.nodes(counts);
    }

    private void execute(Node node, WarmNodeFacts facts, List<WarmPoolAction> actions) {
        String name = node.getMetadata().getName();
        for (WarmPoolAction action : actions) {
            try {
                if (action instanceof CompleteLifecycleAction complete) {
                    LifecycleCallResult result = gateway().completeLifecycleAction(
                            complete.groupName(), complete.hookName(), complete.instanceId());
                    metrics.lifecycleAction("complete", result == LifecycleCallResult.DONE ? "ok" : "no_active");
                    completed(node, facts, complete, result);
                } else if (action instanceof RecordHeartbeat heartbeat) {
                    LifecycleCallResult result = gateway().recordHeartbeat(
                            heartbeat.groupName(), heartbeat.hookName(), heartbeat.instanceId());
                    metrics.lifecycleAction("heartbeat", result == LifecycleCallResult.DONE ? "ok" : "no_active");
                } else if (action instanceof MarkCacheComplete mark) {
                    Map<String, String> marks = new java.util.LinkedHashMap<>(warmPoolMark(node, facts));
                    marks.put(CACHE_COMPLETED_AT, mark.at().toString());
                    marks.put(NodeStartup.IMAGE_CACHE_ANNOTATION, mark.at().toString());
                    annotate(name, marks);
                    metrics.cacheComplete(Duration.between(facts.registeredAt(), mark.at()));
                    if (facts.failedImages().isEmpty()) {
                        LOG.infof("node %s: image cache complete", name);
                    } else {
                        // Failed pulls do not hold a warm node back (the kubelet retries them); say which.
                        String message = "Image cache complete except " + facts.failedImages().size()
                                + (facts.failedImages().size() == 1 ? " image" : " images")
                                + " the kubelet could not pull: " + String.join(", ", facts.failedImages());
                        LOG.warnf("node %s: %s", name, message);
                        event(node, IMAGE_CACHE_FAILED, "Warning", message, mark.at());
                    }
                } else if (action instanceof MarkHeartbeat mark) {
                    Map<String, String> marks = new java.util.LinkedHashMap<>(warmPoolMark(node, facts));
                    marks.put(HEARTBEAT_AT, mark.at().toString());
                    annotate(name, marks);
                } else if (action instanceof RemoveWarmupTaint) {
                    Map<String, String> marks = new java.util.LinkedHashMap<>(warmPoolMark(node, facts));
                    if (facts.cacheComplete() && annotation(node, NodeStartup.IMAGE_CACHE_ANNOTATION).isEmpty()
                            && annotation(node, CACHE_COMPLETED_AT).isEmpty()) {
                        marks.put(NodeStartup.IMAGE_CACHE_ANNOTATION, facts.now().toString());
                    }
                    marks.put(NodeStartup.WARM_UP_ANNOTATION, facts.now().toString());
                    client.get().nodes().withName(name).edit(current -> new NodeBuilder(current)
                            .editMetadata().addToAnnotations(marks).endMetadata()
                            .editSpec()
                                .withTaints(current.getSpec().getTaints().stream()
                                        .filter(t -> !settings.taint().matches(t)).toList())
                            .endSpec()
                            .build());
                    metrics.taintRemoved(Duration.between(facts.registeredAt(), facts.now()));
                    LOG.infof("node %s left the warm pool: warm-up taint removed", name);
                } else if (action instanceof DeleteNode delete) {
                    client.get().nodes().withName(name).delete();
                    LOG.infof("node %s deleted: its instance is %s in the warm pool", name, delete.lifecycleState());
                }
            } catch (AutoScalingCallException e) {
                String what = action instanceof RecordHeartbeat ? "heartbeat" : "complete";
                metrics.lifecycleAction(what, e.kind().label());
                LOG.warnf("node %s: %s", name, e.getMessage());
                return;
            } catch (KubernetesClientException e) {
                LOG.warnf("node %s: %s not applied: %s", name, action.getClass().getSimpleName(), e.getMessage());
                return;
            }
        }
    }

    private void completed(Node node, WarmNodeFacts facts, CompleteLifecycleAction complete, LifecycleCallResult result) {
        String name = node.getMetadata().getName();
        String outcome = result == LifecycleCallResult.DONE ? "completed" : "was already completed";
        switch (complete.why()) {
            case BUDGET_EXCEEDED -> {
                metrics.budgetExceeded();
                String message = "Image cache not complete " + settings.cacheBudget().toSeconds()
                        + "s after registration; lifecycle hook " + complete.hookName() + " " + outcome
                        + " with CONTINUE anyway";
                LOG.warnf("node %s: %s", name, message);
                event(node, "WarmupBudgetExceeded", "Warning", message, facts.now());
            }
            case CACHE_COMPLETE -> LOG.infof("node %s: warm-up hook %s %s (CONTINUE)", name, complete.hookName(), outcome);
            case LEAVING_POOL -> LOG.infof("node %s: launch hook %s %s (CONTINUE)", name, complete.hookName(), outcome);
        }
    }

    private void event(Node node, String reason, String type, String message, Instant now) {
        try {
            String ts = now.toString();
            client.get().v1().events().inNamespace(EVENT_NAMESPACE).resource(new EventBuilder()
                    .withNewMetadata()
                        .withName(node.getMetadata().getName() + "." + Long.toHexString(now.toEpochMilli()))
                        .withNamespace(EVENT_NAMESPACE)
                    .endMetadata()
                    .withNewInvolvedObject()
                        .withApiVersion("v1").withKind("Node")
                        .withName(node.getMetadata().getName()).withUid(node.getMetadata().getUid())
                    .endInvolvedObject()
                    .withReason(reason)
                    .withType(type)
                    .withMessage(message)
                    .withFirstTimestamp(ts)
                    .withLastTimestamp(ts)
                    .withCount(1)
                    .withNewSource().withComponent("headstart-controller").endSource()
                    .build()).create();
        } catch (KubernetesClientException e) {
            LOG.warnf("node %s: event %s not recorded: %s", node.getMetadata().getName(), reason, e.getMessage());
        }
    }

    private void annotate(String node, Map<String, String> annotations) {
        client.get().nodes().withName(node).edit(current -> new NodeBuilder(current)
                .editMetadata().addToAnnotations(annotations).endMetadata()
                .build());
    }

    /**
     * {@code headstart.dev/warm-pool: "true"} for a node that carries the warm-up taint and is not
     * marked yet: written with the reconciler's next edit of the node (cache complete, heartbeat,
     * taint removal), never on its own, so it costs no extra write. The startup telemetry groups
     * nodes by it.
     */
    private static Map<String, String> warmPoolMark(Node node, WarmNodeFacts facts) {
        return facts.warmupTainted() && !"true".equals(annotation(node, NodeStartup.WARM_POOL_ANNOTATION).orElse(null))
                ? Map.of(NodeStartup.WARM_POOL_ANNOTATION, "true") : Map.of();
    }

    private synchronized AutoScalingGateway gateway() {
        if (gateway == null) {
            gateway = new RateLimitedAutoScalingGateway(gatewayFactory.get(), CallSpacing.perSecond(callsPerSecond));
        }
        return gateway;
    }

    /** Passes run so far (tests: a heartbeat must not cause one). */
    long passes() {
        return passes.get();
    }

    static boolean shutdownTainted(Node node) {
        return node.getSpec() != null && node.getSpec().getTaints() != null
                && node.getSpec().getTaints().stream().anyMatch(t -> SHUTDOWN_TAINT.equals(t.getKey()));
    }

    private static Optional<String> annotation(Node node, String key) {
        Map<String, String> annotations = node.getMetadata().getAnnotations();
        return Optional.ofNullable(annotations == null ? null : annotations.get(key));
    }

    private static Optional<Instant> parse(String timestamp) {
        if (timestamp == null || timestamp.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(timestamp));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
