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
import dev.headstart.controller.WarningEvent;
import dev.headstart.controller.imagecache.ImageCacheCompletion;
import dev.headstart.controller.imagecache.ImageCacheView;
import dev.headstart.controller.warmpool.AutoScalingGateway.InstanceLifecycle;
import dev.headstart.controller.warmpool.AutoScalingGateway.LifecycleCallResult;
import dev.headstart.controller.warmpool.AutoScalingGateway.LifecycleHook;
import dev.headstart.controller.warmpool.WarmNodeFacts.HooksCompleted;
import dev.headstart.controller.warmpool.WarmPoolAction.AddWarmupTaint;
import dev.headstart.controller.warmpool.WarmPoolAction.MarkHooksCompleted;
import dev.headstart.controller.warmpool.WarmPoolAction.CompleteLifecycleAction;
import dev.headstart.controller.warmpool.WarmPoolAction.DeleteNode;
import dev.headstart.controller.warmpool.WarmPoolAction.MarkCacheComplete;
import dev.headstart.controller.warmpool.WarmPoolAction.MarkHeartbeat;
import dev.headstart.controller.warmpool.WarmPoolAction.RecordHeartbeat;
import dev.headstart.controller.warmpool.WarmPoolAction.RemoveWarmupTaint;
import dev.headstart.telemetry.NodeStartup;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
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
    /** The cluster autoscaler's taint on a node it scales in ({@code ToBeDeletedTaint}, utils/taints/taints.go). */
    static final String CLUSTER_AUTOSCALER_DELETE_TAINT = "ToBeDeletedByClusterAutoscaler";
    public static final String CACHE_COMPLETED_AT = "headstart.dev/warm-cache-completed-at";
    public static final String HEARTBEAT_AT = "headstart.dev/warm-heartbeat-at";
    /** The lifecycle stage whose launching hooks Headstart completed last, and when. */
    public static final String HOOKS_COMPLETED = "headstart.dev/warm-hooks-completed";
    public static final String HOOKS_COMPLETED_AT = "headstart.dev/warm-hooks-completed-at";
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
    /**
     * The sweep walks all nodes by name, a slice per pass sized so that the whole cluster is covered
     * once per sweep interval: where it stopped, and when. Only spreads calls; lost on restart, no harm.
     */
    private String sweepCursor = "";
    private Instant lastSweep;
    private double sweepCredit;
    /** Untainted nodes registered within the cold-launch window and not yet seen in service. */
    private final YoungNodes young;
    private AutoScalingGateway gateway;
    /** Until every informer has listed, a missing cache pod may just not be cached yet: do nothing. */
    private volatile boolean synced;
    private ScheduledExecutorService executor;
    private Subscription<Node> nodes;
    private Subscription<Node> youngNodes;
    private Subscription<Pod> cachePods;
    /** What the image cache plans on each node: the cache is complete when that is there. */
    private final ImageCacheView cacheView;
    /**
     * Auto Scaling groups seen holding EKS managed nodes, and what Headstart last saw of each one's
     * warm pool (one entry per group, so bounded by the account's groups). Lost on restart: the
     * sweep finds the groups again, and a repeated completion only gets "no active action".
     */
    private final Map<String, ManagedWarmPool> managedPools = new java.util.concurrent.ConcurrentHashMap<>();

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
        this.young = new YoungNodes(() -> clock.instant().minus(settings.coldLaunchWindow()));
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
        young.clear();
        managedPools.clear();
        youngNodes = informers.subscribe(ControllerKinds.NODES, young);
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
        Stream.of(youngNodes, nodes, cachePods).filter(Objects::nonNull).forEach(Subscription::close);
        youngNodes = null;
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

    /** Nodes looked at together: one DescribeAutoScalingInstances call takes at most 50 instances. */
    static final int BATCH = 50;

    /**
     * One look at every node Headstart may have to drive: those carrying the warm-up or the
     * shutdown taint, untainted ones registered within the cold-launch window (a cold launch waits
     * in Pending:Wait), and, once per sweep interval, every node with an EC2 instance (one reused
     * on scale-in may be back in a warm pool with no taint). Candidates are gathered by name and
     * rebuilt from the cache a batch at a time, so a pass holds at most {@link #BATCH} nodes
     * whatever the cluster's size (at start-up every node of a freshly created cluster is young).
     */
    void pass() {
        if (!synced) {
            return;
        }
        lastPassNanos = System.nanoTime();
        passes.incrementAndGet();
        Instant now = clock.instant();
        java.util.SortedSet<String> candidates = new java.util.TreeSet<>();
        // From the taint index: only tainted nodes are rebuilt from the shared store.
        Stream.concat(nodes.byIndex(ControllerKinds.TAINT_KEY_INDEX, settings.taint().key()).stream(),
                        nodes.byIndex(ControllerKinds.TAINT_KEY_INDEX, SHUTDOWN_TAINT).stream())
                .filter(n -> settings.taint().isOn(n) || shutdownTainted(n))
                .forEach(n -> candidates.add(n.getMetadata().getName()));
        // Scaled in by the cluster autoscaler: with ReuseOnScaleIn the instance may be back in the pool.
        nodes.byIndex(ControllerKinds.TAINT_KEY_INDEX, CLUSTER_AUTOSCALER_DELETE_TAINT)
                .forEach(n -> candidates.add(n.getMetadata().getName()));
        if (!settings.coldLaunchWindow().isZero()) {
            candidates.addAll(young.unsettled());
        }
        if (!settings.sweepInterval().isZero()) {
            candidates.addAll(sweepSlice(nodes.keys().stream().sorted().toList(), now));
        }
        Map<String, List<LifecycleHook>> hooksByGroup = new HashMap<>();
        Map<WarmNodeState, Integer> counts = new EnumMap<>(WarmNodeState.class);
        List<String> names = List.copyOf(candidates);
        for (int from = 0; from < names.size(); from += BATCH) {
            List<Node> batch = names.subList(from, Math.min(names.size(), from + BATCH)).stream()
                    .map(nodes::get).filter(Objects::nonNull).toList();
            if (!look(batch, now, hooksByGroup, counts)) {
                return;
            }
        }
        metrics.nodes(counts);
        completeNodelessWarmLaunches(now);
    }

    /** One batch of a pass: describe its instances, plan and act on each node. False: Auto Scaling failed. */
    private boolean look(List<Node> batch, Instant now, Map<String, List<LifecycleHook>> hooksByGroup,
                         Map<WarmNodeState, Integer> counts) {
        Map<String, String> instanceIds = new HashMap<>();
        for (Node node : batch) {
            ProviderId.instanceId(node.getSpec() == null ? null : node.getSpec().getProviderID())
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
                return false;
            } catch (RuntimeException e) {
                // e.g. no region configured and none discoverable
                metrics.lifecycleAction("describe", "failed");
                LOG.warnf("warm pool: cannot reach Auto Scaling: %s", e.getMessage());
                return false;
            }
        }
        for (Node node : batch) {
            String name = node.getMetadata().getName();
            Optional<InstanceLifecycle> instance = Optional.ofNullable(instanceIds.get(name)).map(lifecycle::get);
            boolean warmupTainted = settings.taint().isOn(node);
            boolean shutdownTainted = shutdownTainted(node);
            Instant registered = parse(node.getMetadata().getCreationTimestamp()).orElse(now);
            if (instance.isEmpty() && !warmupTainted && !shutdownTainted) {
                // An untainted node in no Auto Scaling group (Karpenter, Fargate, ...): not ours.
                young.settle(name);
                continue;
            }
            ImageCacheCompletion cache = ImageCacheCompletion.of(name, cacheView,
                    cachePods.byIndex(ControllerKinds.NODE_NAME_INDEX, name));
            boolean managed = EksManagedNodeGroup.contains(node);
            if (managed) {
                instance.ifPresent(i -> managedPools.computeIfAbsent(i.groupName(), g -> new ManagedWarmPool()));
            }
            // An EKS managed node group's own hooks are EKS's; only hooks named as Headstart's are
            // driven there, and only at Pending:Wait (in the pool no Node comes: see completeNodelessWarmLaunches).
            List<LifecycleHook> hooks = instance.filter(i -> HOOK_STAGES.contains(i.lifecycleState())
                            && !(managed && WarmNodePlan.WARMED_PENDING_WAIT.equals(i.lifecycleState())))
                    .map(i -> hooksByGroup.computeIfAbsent(i.groupName(), this::launchingHooks))
                    .orElse(List.of());
            WarmNodeFacts facts = new WarmNodeFacts(
                    name,
                    node.getMetadata().getUid(),
                    ready(node),
                    warmupTainted,
                    shutdownTainted,
                    cache.complete(),
                    cache.failedImages(),
                    registered,
                    annotation(node, CACHE_COMPLETED_AT).flatMap(WarmPoolReconciler::parse),
                    annotation(node, HEARTBEAT_AT).flatMap(WarmPoolReconciler::parse),
                    hooksCompleted(node),
                    instance,
                    hooks,
                    now,
                    managed);
            WarmNodePlan plan = WarmNodePlan.of(facts, settings);
            if (warmupTainted || shutdownTainted || !plan.actions().isEmpty()) {
                counts.merge(plan.state(), 1, Integer::sum);
            } else if (instance.isEmpty() || plan.state() == WarmNodeState.SERVING) {
                // A young node in service (or in no group): no need to describe it again every pass.
                young.settle(name);
            }
            execute(node, facts, plan.actions());
        }
        return true;
    }

    /** The next slice of the sweep: nodes after the cursor, as many as the time since the last slice is worth. */
    private List<String> sweepSlice(List<String> all, Instant now) {
        if (settings.sweepInterval().isZero() || all.isEmpty()) {
            return List.of();
        }
        long elapsed = lastSweep == null ? settings.sweepInterval().toMillis()
                : Math.max(0, Duration.between(lastSweep, now).toMillis());
        lastSweep = now;
        // Nodes this much time is worth, the fraction carried over: the cluster once per interval.
        sweepCredit = Math.min(all.size(), sweepCredit + (double) all.size() * elapsed / settings.sweepInterval().toMillis());
        int count = (int) Math.floor(sweepCredit);
        if (count == 0) {
            return List.of();
        }
        sweepCredit -= count;
        int from = 0;
        while (from < all.size() && all.get(from).compareTo(sweepCursor) <= 0) {
            from++;
        }
        List<String> slice = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            slice.add(all.get((from + i) % all.size()));
        }
        sweepCursor = slice.get(slice.size() - 1);
        return slice;
    }

    private static final java.util.Set<String> HOOK_STAGES =
            java.util.Set.of(WarmNodePlan.WARMED_PENDING_WAIT, WarmNodePlan.PENDING_WAIT);

    /**
     * The configured hook names the group has as launching hooks (once per group and pass). If the
     * group cannot be described, every configured name, with AWS's defaults for timeout and result.
     */
    private List<LifecycleHook> launchingHooks(String group) {
        try {
            return drivenHooks(group);
        } catch (AutoScalingCallException e) {
            LOG.warnf("warm pool: %s; completing the configured hooks %s", e.getMessage(), settings.hooks());
            return settings.hooks().stream().map(name -> new LifecycleHook(name, null, null)).toList();
        }
    }

    /** The configured hook names the group has as launching hooks; a failed describe is thrown (and counted). */
    private List<LifecycleHook> drivenHooks(String group) {
        try {
            List<LifecycleHook> all = gateway().launchingHooks(group);
            metrics.lifecycleAction("describe_hooks", "ok");
            List<LifecycleHook> driven = all.stream().filter(h -> settings.hooks().contains(h.name())).toList();
            if (driven.isEmpty() && !all.isEmpty()) {
                LOG.debugf("warm pool: group %s has launching hooks %s, none of them configured for Headstart",
                        group, all.stream().map(LifecycleHook::name).toList());
            }
            return driven;
        } catch (AutoScalingCallException e) {
            metrics.lifecycleAction("describe_hooks", e.kind().label());
            throw e;
        }
    }

    /** What Headstart last saw of an EKS managed node group's warm pool; touched only by passes (one thread). */
    private static final class ManagedWarmPool {
        List<LifecycleHook> hooks = List.of();
        Instant hooksAt;
        Instant lookedAt;
        /** Instances completed at their current Warmed:Pending:Wait: once per transition. */
        final java.util.Set<String> completed = new java.util.HashSet<>();
    }

    /**
     * An instance launched into the warm pool of an EKS managed node group boots, then stops or
     * hibernates without joining the cluster: at {@code Warmed:Pending:Wait} no Node will come. If the
     * group has a launching hook Headstart drives (added against the docs' advice), every warm launch
     * would wait out its heartbeat timeout, so those hooks are completed at once for instances with no
     * Node ({@link NodelessWarmLaunchPlan}). Per group at most one DescribeWarmPool per tick and one
     * DescribeLifecycleHooks per sweep interval, never per node event; the nodes are streamed once,
     * and only when some instance is waiting. Self-managed groups are not looked at: their instances
     * register a Node in the pool, and the hook's timeout covers a failed boot.
     */
    private void completeNodelessWarmLaunches(Instant now) {
        Duration hookRefresh = settings.sweepInterval().isZero() ? tick : settings.sweepInterval();
        Map<String, List<InstanceLifecycle>> waiting = new java.util.TreeMap<>();
        java.util.Set<String> candidates = new java.util.HashSet<>();
        for (Map.Entry<String, ManagedWarmPool> entry : managedPools.entrySet()) {
            String group = entry.getKey();
            ManagedWarmPool pool = entry.getValue();
            if (pool.lookedAt != null && now.isBefore(pool.lookedAt.plus(tick))) {
                continue;
            }
            pool.lookedAt = now;
            if (pool.hooksAt == null || !now.isBefore(pool.hooksAt.plus(hookRefresh))) {
                try {
                    pool.hooks = drivenHooks(group);
                    pool.hooksAt = now;
                } catch (AutoScalingCallException e) {
                    LOG.warnf("warm pool of group %s: %s", group, e.getMessage());
                    continue;
                }
            }
            if (pool.hooks.isEmpty()) {
                pool.completed.clear();
                continue;
            }
            List<InstanceLifecycle> instances;
            try {
                instances = gateway().warmPoolInstances(group);
                metrics.lifecycleAction("describe_warm_pool", "ok");
            } catch (AutoScalingCallException e) {
                metrics.lifecycleAction("describe_warm_pool", e.kind().label());
                LOG.warnf("warm pool of group %s: %s", group, e.getMessage());
                continue;
            }
            // Forget instances that have left Warmed:Pending:Wait: their next one is a new transition.
            pool.completed.retainAll(instances.stream()
                    .filter(i -> WarmNodePlan.WARMED_PENDING_WAIT.equals(i.lifecycleState()))
                    .map(InstanceLifecycle::instanceId).toList());
            java.util.Set<String> ids = NodelessWarmLaunchPlan.candidates(instances, pool.hooks, pool.completed);
            if (!ids.isEmpty()) {
                waiting.put(group, instances);
                candidates.addAll(ids);
            }
        }
        if (candidates.isEmpty()) {
            return;
        }
        // Only the waiting instances' ids are kept, whatever the cluster's size.
        java.util.Set<String> withNode = nodes.stream()
                .map(n -> ProviderId.instanceId(n.getSpec() == null ? null : n.getSpec().getProviderID()))
                .flatMap(Optional::stream)
                .filter(candidates::contains)
                .collect(java.util.stream.Collectors.toSet());
        waiting.forEach((group, instances) -> {
            ManagedWarmPool pool = managedPools.get(group);
            Map<String, List<NodelessWarmLaunchPlan.Completion>> byInstance = new java.util.LinkedHashMap<>();
            NodelessWarmLaunchPlan.of(group, instances, pool.hooks, withNode, pool.completed)
                    .forEach(c -> byInstance.computeIfAbsent(c.instanceId(), id -> new java.util.ArrayList<>()).add(c));
            byInstance.forEach((instanceId, completions) -> {
                for (NodelessWarmLaunchPlan.Completion c : completions) {
                    try {
                        LifecycleCallResult result = gateway().completeLifecycleAction(group, c.hook().name(), instanceId);
                        boolean done = result == LifecycleCallResult.DONE;
                        metrics.lifecycleAction("complete_nodeless", done ? "ok" : "no_active");
                        LOG.infof("instance %s of EKS managed node group %s: at %s in the warm pool, where no Node comes; "
                                        + "lifecycle hook %s %s", instanceId, group, WarmNodePlan.WARMED_PENDING_WAIT,
                                c.hook().name(), done ? "completed with CONTINUE"
                                        : "had no active lifecycle action (timed out to its default result, or completed by someone else)");
                    } catch (AutoScalingCallException e) {
                        metrics.lifecycleAction("complete_nodeless", e.kind().label());
                        LOG.warnf("instance %s of group %s: %s", instanceId, group, e.getMessage());
                        return; // not marked: tried again at the next look
                    }
                }
                pool.completed.add(instanceId);
            });
        });
    }

    void execute(Node node, WarmNodeFacts facts, List<WarmPoolAction> actions) {
        String name = node.getMetadata().getName();
        Map<String, String> pendingMarks = new java.util.LinkedHashMap<>();
        List<String> overruns = new java.util.ArrayList<>();
        for (WarmPoolAction action : actions) {
            try {
                if (action instanceof CompleteLifecycleAction complete) {
                    LifecycleCallResult result = gateway().completeLifecycleAction(
                            complete.groupName(), complete.hook().name(), complete.instanceId());
                    metrics.lifecycleAction("complete", result == LifecycleCallResult.DONE ? "ok" : "no_active");
                    completed(node, facts, complete, result, overruns);
                } else if (action instanceof MarkHooksCompleted mark) {
                    if (!overruns.isEmpty()) {
                        // One warning per transition, however many hooks were completed.
                        metrics.budgetExceeded();
                        String message = "Image cache not complete " + settings.cacheBudget().toSeconds()
                                + "s after registration; " + String.join("; ", overruns);
                        LOG.warnf("node %s: %s", name, message);
                        event(node, "WarmupBudgetExceeded", message, facts.now());
                    }
                    Map<String, String> marks = new java.util.LinkedHashMap<>(warmPoolMark(node, facts));
                    marks.put(HOOKS_COMPLETED, mark.stage());
                    marks.put(HOOKS_COMPLETED_AT, mark.at().toString());
                    if (actions.stream().anyMatch(a -> a instanceof RemoveWarmupTaint)) {
                        pendingMarks.putAll(marks); // written with the taint's removal: one edit
                    } else {
                        annotate(name, marks);
                    }
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
                        event(node, IMAGE_CACHE_FAILED, message, mark.at());
                    }
                } else if (action instanceof MarkHeartbeat mark) {
                    Map<String, String> marks = new java.util.LinkedHashMap<>(warmPoolMark(node, facts));
                    marks.put(HEARTBEAT_AT, mark.at().toString());
                    annotate(name, marks);
                } else if (action instanceof RemoveWarmupTaint) {
                    Map<String, String> marks = new java.util.LinkedHashMap<>(warmPoolMark(node, facts));
                    marks.putAll(pendingMarks);
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
                } else if (action instanceof AddWarmupTaint add) {
                    Taint taint = new Taint(settings.taint().effect(), settings.taint().key(), null,
                            settings.taint().value().isEmpty() ? null : settings.taint().value());
                    client.get().nodes().withName(name).edit(current -> settings.taint().isOn(current) ? current
                            : new NodeBuilder(current).editSpec().addToTaints(taint).endSpec().build());
                    LOG.infof("node %s: its instance is %s, in the warm pool: warm-up taint %s added so no pod lands there",
                            name, add.lifecycleState(), settings.taint());
                } else if (action instanceof DeleteNode delete) {
                    deleteNode(name, delete);
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

    /**
     * DELETE with {@code preconditions.uid}: the API server refuses (409) when the Node by that name
     * is another object, i.e. the instance's kubelet already registered a new one.
     */
    private void deleteNode(String name, DeleteNode delete) {
        KubernetesClient kube = client.get();
        String body = io.fabric8.kubernetes.client.utils.Serialization.asJson(new io.fabric8.kubernetes.api.model.DeleteOptionsBuilder()
                .withApiVersion("v1").withKind("DeleteOptions")
                .withNewPreconditions().withUid(delete.uid()).endPreconditions().build());
        String url = io.fabric8.kubernetes.client.utils.URLUtils.join(kube.getMasterUrl().toString(), "api", "v1", "nodes", name);
        io.fabric8.kubernetes.client.http.HttpClient http = kube.getHttpClient();
        io.fabric8.kubernetes.client.http.HttpResponse<String> response;
        try {
            response = http.sendAsync(http.newHttpRequestBuilder().uri(url).delete("application/json", body).build(),
                    String.class).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new KubernetesClientException("delete node " + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesClientException("delete node " + name + " interrupted", e);
        }
        switch (response.code()) {
            case 200, 202 -> LOG.infof("node %s deleted: its instance is %s in the warm pool", name, delete.lifecycleState());
            case 404 -> LOG.debugf("node %s: already gone", name);
            case 409 -> LOG.infof("node %s not deleted: it was registered again (UID is no longer %s)", name, delete.uid());
            default -> throw new KubernetesClientException("delete node " + name + ": HTTP " + response.code() + " "
                    + response.body());
        }
    }

    private void completed(Node node, WarmNodeFacts facts, CompleteLifecycleAction complete, LifecycleCallResult result,
                           List<String> overruns) {
        String name = node.getMetadata().getName();
        String hook = complete.hook().name();
        String outcome = result == LifecycleCallResult.DONE ? "completed with CONTINUE" : notActive(facts, complete);
        switch (complete.why()) {
            case BUDGET_EXCEEDED -> overruns.add("lifecycle hook " + hook + " " + outcome
                    + (result == LifecycleCallResult.DONE ? " anyway" : ""));
            case CACHE_COMPLETE -> LOG.infof("node %s: image cache complete, lifecycle hook %s %s at %s",
                    name, hook, outcome, WarmNodePlan.WARMED_PENDING_WAIT);
            case ENTERING_SERVICE -> LOG.infof("node %s: Ready, lifecycle hook %s %s at %s",
                    name, hook, outcome, WarmNodePlan.PENDING_WAIT);
        }
    }

    /**
     * Why an action Headstart did not complete is gone: past the hook's heartbeat timeout (counted
     * from the last heartbeat Headstart sent, or the Node's registration), Auto Scaling applied the
     * default result; before it, someone else completed it.
     */
    static String notActive(WarmNodeFacts facts, CompleteLifecycleAction complete) {
        LifecycleHook hook = complete.hook();
        if (hook.heartbeatTimeout() == null) {
            return "had no active lifecycle action (timed out to its default result, or completed by someone else)";
        }
        Instant since = facts.lastHeartbeatAt().filter(h -> complete.why() != WarmPoolAction.Why.ENTERING_SERVICE)
                .orElse(facts.registeredAt());
        long elapsed = Duration.between(since, facts.now()).toSeconds();
        if (elapsed >= hook.heartbeatTimeout().toSeconds()) {
            return "had already timed out to its default result " + hook.defaultResult() + " (heartbeat timeout "
                    + hook.heartbeatTimeout().toSeconds() + "s, " + elapsed + "s without a heartbeat from Headstart)";
        }
        return "was already completed by someone else (no active lifecycle action)";
    }

    private void event(Node node, String reason, String message, Instant now) {
        WarningEvent.record(client.get(), EVENT_NAMESPACE, WarningEvent.about("Node", node.getMetadata()), reason, message, now);
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

    private static Optional<HooksCompleted> hooksCompleted(Node node) {
        return annotation(node, HOOKS_COMPLETED).flatMap(stage -> annotation(node, HOOKS_COMPLETED_AT)
                .flatMap(WarmPoolReconciler::parse).map(at -> new HooksCompleted(stage, at)));
    }

    static boolean ready(Node node) {
        return node.getStatus() != null && node.getStatus().getConditions() != null
                && node.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    static boolean shutdownTainted(Node node) {
        return node.getSpec() != null && node.getSpec().getTaints() != null
                && node.getSpec().getTaints().stream().anyMatch(t -> SHUTDOWN_TAINT.equals(t.getKey()));
    }

    private static Optional<String> annotation(Node node, String key) {
        Map<String, String> annotations = node.getMetadata().getAnnotations();
        return Optional.ofNullable(annotations == null ? null : annotations.get(key));
    }

    /** An RFC 3339 timestamp of the API server, or empty when missing or malformed. */
    static Optional<Instant> parse(String timestamp) {
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
