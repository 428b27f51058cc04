package dev.headstart.controller.headroom;

import dev.headstart.cluster.ApiServed;

import dev.headstart.controller.OnChange;
import dev.headstart.controller.DaemonScheduler;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.controller.LeaderTask;
import dev.headstart.controller.informers.ControllerKinds;
import dev.headstart.controller.informers.SharedInformers;
import dev.headstart.controller.informers.Subscription;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Keeps the headroom PriorityClass and pause-pod Deployment as {@link HeadroomObjects} says, with
 * the replica count {@link HeadroomPlan} gives for the nodes that count ({@link NodeCensus}) and
 * the parameters in the ConfigMap. The shared node informer and the ConfigMap informer trigger a debounced reconcile; a
 * periodic resync catches anything missed. Objects are written only when they differ, so a steady
 * cluster sees no writes.
 *
 * <p>Bad parameters are reported once per ConfigMap version (a Warning Event on the ConfigMap, a
 * log line, {@code headstart_headroom_params_invalid_total}) and the last good parameters stay.
 * A missing ConfigMap is created with the default parameters, as CPA's {@code --default-params}.
 */
@Singleton
public class HeadroomReconciler implements LeaderTask {

    private static final Logger LOG = Logger.getLogger(HeadroomReconciler.class);
    private static final long RETRY_MILLIS = 5_000;

    private final Supplier<KubernetesClient> clients;
    private final HeadroomSettings settings;
    private final boolean enabled;
    private final HeadroomParams defaultParams;
    /** The sum over pools (the pools' gauges are what is exported). */
    private final AtomicInteger replicas = new AtomicInteger();
    private final Counter invalidParams;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final ReentrantLock reconciling = new ReentrantLock();

    private final SharedInformers informers;
    private volatile ScheduledExecutorService executor;
    private volatile Subscription<Node> nodeInformer;
    private volatile Subscription<ConfigMap> paramsInformer;
    private volatile Subscription<io.fabric8.kubernetes.api.model.Pod> podInformer;
    /** RuntimeClasses (shared with the image cache): a shapeFrom workload's class adds its pod overhead. */
    private volatile Subscription<io.fabric8.kubernetes.api.model.node.v1.RuntimeClass> runtimeClassInformer;
    private final HeadroomPodMetrics podMetrics;
    private volatile HeadroomParams lastGood;
    /** The last good spec of each pool, kept while a later ConfigMap version has that pool wrong. */
    private final Map<String, HeadroomPool> lastGoodPools = new java.util.LinkedHashMap<>();
    private final Map<String, String> reportedPoolErrors = new HashMap<>();
    private final Map<String, ScaleDownStabilizer> stabilizers = new HashMap<>();
    private final Map<String, AtomicInteger> poolReplicas = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, HeadroomPlan> lastPlans = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Map<String, Integer>> applied = new java.util.concurrent.ConcurrentHashMap<>();
    /** The schedule window in force per pool (pools without one are absent). */
    private final Map<String, String> windows = new java.util.concurrent.ConcurrentHashMap<>();
    /** The pass at the next schedule boundary (a window opening or closing), replaced each pass. */
    private volatile java.util.concurrent.ScheduledFuture<?> boundaryTimer;
    private volatile java.time.Clock clock = java.time.Clock.systemUTC();
    private final MeterRegistry registry;
    private volatile String reportedBadVersion;
    /** The start-up line on what opted-in pods may preempt (null in tests built without the config). */
    private String reach;
    /** Whether and in which version the API server serves CapacityBuffers (asked only while needed). */
    private final CapacityBufferApi bufferApi;
    private final HeadroomBuffers buffers;
    /** Watches of the {@code shapeFrom} workloads (leader only). */
    private final ShapeWatches shapeWatches;
    private final long bufferRecheckMillis;
    /** Whether the last pass had a pool in buffer or auto mode, or Headstart's PodTemplates: the re-check asks then. */
    private volatile boolean usingBuffers;
    /**
     * Whether Headstart's PodTemplates may exist: true at start (a pool may have left some before a
     * restart), then whether the last list found any. A cluster without buffer pools lists them once.
     */
    private volatile boolean templatesMayExist = true;
    /** What was last reported per pool for a skipped pool or a missing shapeFrom workload: reported once. */
    private final Map<String, String> notices = new HashMap<>();
    /** The pools that had a notice this pass (the others' notices are forgotten, so a recurrence is reported). */
    private final Set<String> noticed = new HashSet<>();

    /** A pool left as it is this pass for a reason reported once (not an API failure). */
    static final class PoolSkipped extends RuntimeException {
        final String reason;

        PoolSkipped(String reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    @Inject
    public HeadroomReconciler(HeadstartConfig config, Instance<KubernetesClient> client, SharedInformers informers,
            MeterRegistry registry) {
        this(client::get, informers, HeadroomSettings.from(config), config.headroom().enabled(), registry,
                config.headroom().bufferRecheck().toMillis());
        this.reach = PreemptionReach.describe(config.priorityClass().name(), config.priorityClass().value(),
                config.priorityClass().preemptionPolicy(), settings.priority());
    }

    /** With informers of its own (tests). */
    public HeadroomReconciler(KubernetesClient client, HeadroomSettings settings, MeterRegistry registry) {
        this(() -> client, new SharedInformers(() -> client, 500), settings, true, registry, 60_000);
    }

    private HeadroomReconciler(Supplier<KubernetesClient> clients, SharedInformers informers, HeadroomSettings settings,
            boolean enabled, MeterRegistry registry, long bufferRecheckMillis) {
        this.bufferApi = new CapacityBufferApi(clients, registry);
        this.buffers = new HeadroomBuffers(settings, registry);
        this.shapeWatches = new ShapeWatches(informers, this::trigger);
        this.bufferRecheckMillis = Math.max(1000, bufferRecheckMillis);
        this.clients = clients;
        this.informers = informers;
        this.settings = settings;
        this.enabled = enabled;
        this.registry = registry;
        poolGauge(HeadroomPool.DEFAULT); // exported from the start, as the single-pool gauge always was
        this.podMetrics = new HeadroomPodMetrics(registry);
        podMetrics.pools(List.of(HeadroomPool.DEFAULT));
        try {
            this.defaultParams = HeadroomParams.parse(settings.defaultParams());
        } catch (InvalidHeadroomParamsException e) {
            throw new IllegalArgumentException("headstart.headroom.default-params: " + e.getMessage());
        }
        this.invalidParams = Counter.builder("headstart.headroom.params.invalid")
                .description("Headroom parameter versions rejected as invalid (the last good ones stayed)")
                .register(registry);
    }

    @Override
    public String name() {
        return "headroom";
    }

    @Override
    public synchronized void start() {
        if (!enabled || executor != null) {
            return;
        }
        ScheduledExecutorService scheduler = DaemonScheduler.named("headstart-headroom");
        executor = scheduler;
        pending.set(false);
        stabilizers.clear();
        shapeWatches.open();
        templatesMayExist = true;
        if (reach != null) {
            LOG.info(reach);
        }
        nodeInformer = informers.subscribe(ControllerKinds.NODES, new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                trigger();
            }

            @Override
            public void onUpdate(Node before, Node after) {
                // Nodes update their status often; only changes that can move the plan count. The
                // informer's old object comes from its store, which keeps every field the census
                // reads: no copy per node is needed here (5,000 of them were 8 MiB of labels).
                if (!NodeFingerprint.of(before).equals(NodeFingerprint.of(after))) {
                    trigger();
                }
            }

            @Override
            public void onDelete(Node node, boolean finalStateUnknown) {
                trigger();
            }
        });
        paramsInformer = informers.subscribe(ControllerKinds.configMap(settings.namespace(), settings.paramsConfigMap()),
                OnChange.run(this::trigger));
        podInformer = informers.subscribe(ControllerKinds.headroomPods(settings.namespace()), podMetrics);
        runtimeClassInformer = informers.subscribe(ControllerKinds.RUNTIME_CLASSES, OnChange.run(this::trigger));
        CompletableFuture.allOf(nodeInformer.started(), paramsInformer.started()).whenComplete((ignored, error) -> trigger());
        long resync = settings.resync().toMillis();
        scheduler.scheduleWithFixedDelay(this::trigger, resync, resync, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::recheckBuffers, bufferRecheckMillis, bufferRecheckMillis,
                TimeUnit.MILLISECONDS);
        LOG.infof("headroom reconciler started (%s/%s)", settings.namespace(), settings.name());
    }

    @Override
    public synchronized void stop() {
        ScheduledExecutorService scheduler = executor;
        if (scheduler == null) {
            return;
        }
        executor = null;
        scheduler.shutdownNow();
        nodeInformer.close();
        paramsInformer.close();
        podInformer.close();
        podInformer = null;
        podMetrics.reset();
        buffers.reset();
        shapeWatches.close();
        runtimeClassInformer.close();
        runtimeClassInformer = null;
        nodeInformer = null;
        paramsInformer = null;
        // Only the leader reports a plan, so the gauge summed over replicas is the leader's.
        replicas.set(0);
        poolReplicas.values().forEach(r -> r.set(0));
        LOG.info("headroom reconciler stopped");
    }

    /**
     * While a pool uses CapacityBuffers (or Headstart's PodTemplates are left to clean up): discovery
     * again, and a pass, which reads the buffers' verdicts and follows a served API that came or went.
     */
    private void recheckBuffers() {
        if (usingBuffers) {
            bufferApi.check();
            trigger();
        }
    }

    /** Asks for a reconcile after the debounce window; changes within the window share it. */
    void trigger() {
        schedule(settings.debounce().toMillis());
    }

    private void schedule(long delayMillis) {
        ScheduledExecutorService scheduler = executor;
        if (scheduler == null || !pending.compareAndSet(false, true)) {
            return;
        }
        try {
            scheduler.schedule(() -> {
                pending.set(false);
                if (executor != scheduler) {
                    return;
                }
                try {
                    reconcile();
                } catch (RuntimeException e) {
                    LOG.warnf("headroom reconcile failed, retrying in %ds: %s", RETRY_MILLIS / 1000, e.toString());
                    schedule(RETRY_MILLIS);
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RuntimeException rejected) {
            pending.set(false); // stopped meanwhile
        }
    }

    /**
     * One pass: PriorityClass, parameters, census, one Deployment per pool (and zone). Returns the
     * plan of the {@code default} pool (else the first pool), or empty when there are no usable
     * parameters yet. Each pool is applied on its own: one pool's failure is reported and the others go on.
     */
    public Optional<HeadroomPlan> reconcile() {
        reconciling.lock();
        try {
            if (listing()) {
                // Before the caches have listed, a partial node count would resize the headroom (and a
                // full LIST as a fallback would hold every node at once): their sync triggers a pass.
                return Optional.empty();
            }
            KubernetesClient client = clients.get();
            Map<String, Deployment> existing = new HashMap<>();
            for (Deployment d : client.apps().deployments().inNamespace(settings.namespace())
                    .withLabel(HeadroomObjects.MANAGED_BY_LABEL, "headstart").list().getItems()) {
                existing.put(d.getMetadata().getName(), d);
            }
            String className = ensurePriorityClass(client, classInUse(existing.values()));
            ConfigMap configMap = configMap(client);
            Map<String, HeadroomPool> pools = currentPools(client, configMap);
            if (pools == null) {
                LOG.warn("headroom: no valid parameters yet; the Deployments are left as they are");
                return Optional.empty();
            }
            List<Node> nodes = nodes(client);
            Instant now = clock.instant();
            Set<String> wanted = new HashSet<>();
            noticed.clear();
            HeadroomBuffers.Existing bufferObjects = bufferObjects(client, pools.values());
            Set<String> wantedBuffers = new HashSet<>();
            Set<String> bufferPools = new HashSet<>();
            boolean allApplied = true;
            Map<String, HeadroomPlan> plans = new LinkedHashMap<>();
            for (HeadroomPool pool : pools.values()) {
                try {
                    plans.put(pool.name(), applyPool(client, pool, nodes, existing, className, now, wanted,
                            bufferObjects, wantedBuffers, bufferPools, configMap));
                } catch (RuntimeException e) {
                    allApplied = false;
                    // Its objects stay as they are: neither resized nor removed.
                    existing.values().stream().filter(d -> pool.name().equals(poolOf(d)))
                            .forEach(d -> wanted.add(d.getMetadata().getName()));
                    bufferObjects.templates().values().stream()
                            .filter(t -> pool.name().equals(HeadroomBuffers.poolOf(t.getMetadata().getLabels())))
                            .forEach(t -> wantedBuffers.add(t.getMetadata().getName()));
                    bufferObjects.buffers().values().stream()
                            .filter(b -> pool.name().equals(HeadroomBuffers.poolOf(b.getMetadata().getLabels())))
                            .forEach(b -> wantedBuffers.add(b.getMetadata().getName()));
                    if (e instanceof PoolSkipped skipped) {
                        notice(client, configMap, pool.name(), skipped.reason, "pool " + pool.name() + ": "
                                + skipped.getMessage());
                        continue;
                    }
                    poolErrors(pool.name()).increment();
                    String message = "pool " + pool.name() + " could not be applied: "
                            + String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
                    LOG.warnf("headroom: %s", message);
                    if (configMap != null) {
                        event(client, configMap, "HeadroomPoolFailed", message);
                    }
                }
            }
            notices.keySet().retainAll(noticed);
            shapeWatches.follow(pools.values().stream().map(HeadroomPool::shapeFrom).filter(Objects::nonNull)
                    .collect(java.util.stream.Collectors.toSet()));
            removeUnwanted(client, existing, wanted, pools.keySet());
            buffers.removeUnwanted(client, bufferApi.apiVersion(), bufferObjects, wantedBuffers);
            buffers.status(bufferObjects, bufferPools, pools.keySet(), this::bufferEvent);
            if (allApplied) {
                deleteUnusedClasses(client, className);
            }
            podMetrics.pools(pools.keySet());
            lastPlans.keySet().retainAll(pools.keySet());
            lastPlans.putAll(plans);
            poolReplicas.forEach((name, gauge) -> {
                if (!pools.containsKey(name)) {
                    gauge.set(0);
                }
            });
            HeadroomPlan main = plans.containsKey(HeadroomPool.DEFAULT) ? plans.get(HeadroomPool.DEFAULT)
                    : plans.values().stream().findFirst().orElse(null);
            applied.keySet().retainAll(pools.keySet());
            windows.keySet().retainAll(plans.keySet());
            wakeAtNextBoundary(pools.values(), now);
            replicas.set(pools.keySet().stream().mapToInt(name -> poolGauge(name).get()).sum());
            return Optional.ofNullable(main);
        } finally {
            reconciling.unlock();
        }
    }

    private boolean listing() {
        Subscription<Node> nodes = nodeInformer;
        Subscription<ConfigMap> params = paramsInformer;
        return nodes != null && params != null && !(nodes.hasSynced() && params.hasSynced());
    }

    /** The replicas per zone the last pass applied, by pool (empty for a pool that does not spread). */
    public Map<String, Map<String, Integer>> zones() {
        return Map.copyOf(applied);
    }

    /** The plans of the last pass, by pool (before stabilisation and zones). */
    public Map<String, HeadroomPlan> plans() {
        return Map.copyOf(lastPlans);
    }

    /**
     * Headstart's PodTemplates, and its CapacityBuffers when served. Discovery is asked first when a
     * pool uses buffer or auto mode (or templates are left from one) and no answer is known yet.
     */
    private HeadroomBuffers.Existing bufferObjects(KubernetesClient client, java.util.Collection<HeadroomPool> pools) {
        boolean wants = pools.stream().anyMatch(p -> p.mode() != HeadroomPool.Mode.PAUSE_PODS);
        if (!wants && !templatesMayExist) {
            usingBuffers = false;
            return new HeadroomBuffers.Existing(Map.of(), Map.of());
        }
        Map<String, io.fabric8.kubernetes.api.model.PodTemplate> templates;
        try {
            templates = buffers.templates(client);
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (wants) {
                throw e;
            }
            // Only looking for a previous run's leftovers: a pause-pod-only cluster is not held up by it.
            LOG.warnf("headroom: cannot list PodTemplates to find CapacityBuffer leftovers (%s); not looked for again",
                    e.getMessage());
            templatesMayExist = false;
            usingBuffers = false;
            return new HeadroomBuffers.Existing(Map.of(), Map.of());
        }
        usingBuffers = wants || !templates.isEmpty();
        templatesMayExist = usingBuffers;
        if (usingBuffers && bufferApi.state() == ApiServed.UNKNOWN) {
            bufferApi.check();
        }
        Optional<String> apiVersion = usingBuffers ? bufferApi.apiVersion() : Optional.empty();
        return new HeadroomBuffers.Existing(templates,
                apiVersion.isPresent() ? buffers.buffers(client, apiVersion.get()) : Map.of());
    }

    /** Whether this pool keeps a CapacityBuffer this pass; throws when it can do neither (left as it is). */
    private boolean keepsBuffer(HeadroomPool pool) {
        if (pool.mode() == HeadroomPool.Mode.PAUSE_PODS) {
            return false;
        }
        if (bufferApi.state() == ApiServed.UNKNOWN) {
            throw new PoolSkipped("CapacityBufferUnknown", "mode " + pool.mode().text() + ": discovery has not yet said"
                    + " whether the API server serves capacitybuffers." + CapacityBufferApi.GROUP
                    + "; its objects are left as they are until it answers");
        }
        if (bufferApi.state() == ApiServed.SERVED) {
            return true;
        }
        if (pool.mode() == HeadroomPool.Mode.AUTO) {
            return false;
        }
        throw new PoolSkipped("CapacityBufferNotServed", "mode buffer, but the API server does not serve capacitybuffers."
                + CapacityBufferApi.GROUP + " (cluster-autoscaler 1.34+ or Karpenter with the CRD installed);"
                + " its objects are left as they are and nothing new is created (mode auto would use pause pods)");
    }

    /** The pool with the shape of its {@code shapeFrom} workload, its own shape while that is missing, or skipped. */
    private HeadroomPool resolveShape(KubernetesClient client, HeadroomPool pool, ConfigMap configMap) {
        if (pool.shapeFrom() == null) {
            return pool;
        }
        Optional<io.fabric8.kubernetes.api.model.PodSpec> spec = shapeWatches.cached(pool.shapeFrom());
        if (spec == null) {
            spec = WorkloadShape.read(client, pool.shapeFrom()); // not watched yet (first pass, tests)
        }
        Map<String, io.fabric8.kubernetes.api.model.Quantity> shape = spec.map(s -> withRuntimeClass(client, s))
                .map(WorkloadShape::of).orElse(Map.of());
        if (shape.containsKey("cpu")) {
            return pool.withShape(shape);
        }
        String why = spec.isEmpty() ? "shapeFrom " + pool.shapeFrom() + " does not exist"
                : "shapeFrom " + pool.shapeFrom() + " requests no CPU, so a placeholder of its shape holds none";
        if (pool.shape().isEmpty()) {
            throw new PoolSkipped("HeadroomShapeFromMissing", why + "; the pool has no shape of its own to fall back to,"
                    + " so its objects are left as they are");
        }
        notice(client, configMap, pool.name(), "HeadroomShapeFromMissing", "pool " + pool.name() + ": " + why
                + "; its own shape is used until it does");
        return pool;
    }

    /**
     * The spec as the RuntimeClass admission plugin admits its pods: the class's pod overhead is
     * counted by the scheduler with the containers' requests
     * ({@code plugin/pkg/admission/runtimeclass/admission.go} setOverhead), so a placeholder of the
     * workload's shape reserves it too. A class that does not exist admits no pod: the spec as it is.
     */
    private io.fabric8.kubernetes.api.model.PodSpec withRuntimeClass(KubernetesClient client,
                                                                     io.fabric8.kubernetes.api.model.PodSpec spec) {
        String name = spec.getRuntimeClassName();
        if (name == null || name.isBlank()) {
            return spec;
        }
        Subscription<io.fabric8.kubernetes.api.model.node.v1.RuntimeClass> informer = runtimeClassInformer;
        List<io.fabric8.kubernetes.api.model.node.v1.RuntimeClass> classes = informer != null && informer.hasSynced()
                ? informer.list() : client.resources(io.fabric8.kubernetes.api.model.node.v1.RuntimeClass.class).list().getItems(); // a few
        Map<String, io.fabric8.kubernetes.api.model.node.v1.RuntimeClass> byName = new HashMap<>();
        classes.forEach(rc -> byName.put(rc.getMetadata().getName(), rc));
        dev.headstart.imagecache.RuntimeClassScheduling.Result admitted =
                dev.headstart.imagecache.RuntimeClassScheduling.apply(spec, byName);
        return admitted.admitted() ? admitted.spec() : spec;
    }

    /** One log line, Event and pool error per pool and message (not once per pass). */
    private void notice(KubernetesClient client, ConfigMap configMap, String pool, String reason, String message) {
        noticed.add(pool);
        if (message.equals(notices.put(pool, message))) {
            return;
        }
        poolErrors(pool).increment();
        LOG.warnf("headroom: %s", message);
        if (configMap != null) {
            event(client, configMap, reason, message);
        }
    }

    private HeadroomPlan applyPool(KubernetesClient client, HeadroomPool declared, List<Node> nodes,
            Map<String, Deployment> existing, String className, Instant now, Set<String> wanted,
            HeadroomBuffers.Existing bufferObjects, Set<String> wantedBuffers, Set<String> bufferPools,
            ConfigMap configMap) {
        boolean buffer = keepsBuffer(declared);
        HeadroomPool pool = resolveShape(client, declared, configMap);
        NodeCensus census = pool.census(settings.warmupTaint());
        List<Node> counted = nodes.stream().filter(census::counts).toList();
        NodeCensus.Tally tally = census.count(counted);
        HeadroomPlan plan = HeadroomPlan.of(tally.size(pool.sizing().includeUnschedulableNodes()), pool.sizing(),
                pool.shapeMilliCpu());
        ScaleDownStabilizer stabilizer = stabilizers.computeIfAbsent(pool.name(),
                n -> new ScaleDownStabilizer(settings.scaleDownStabilization()));
        HeadroomSchedule.Active active = HeadroomSchedule.apply(plan.replicas(), pool.schedules(), now);
        if (active.window() == null) {
            windows.remove(pool.name());
        } else {
            windows.put(pool.name(), active.window());
        }
        int stable = stabilizer.apply(now, active.replicas());
        stabilizer.nextChange().ifPresent(due -> schedule(Math.max(0, due.toEpochMilli() - now.toEpochMilli()) + 1));
        // A window that replaces the plan sets the total exactly (0 at night means 0 in every zone).
        int perZone = active.window() != null && pool.schedules().stream()
                .anyMatch(w -> w.name().equals(active.window()) && w.replaces()) ? 0 : pool.minPerZone();
        Map<String, Integer> zones = pool.spread() ? ZoneSpread.distribute(stable, zonesOf(counted), perZone)
                : Map.of();
        boolean pausePods = !buffer;
        if (buffer) {
            bufferPools.add(pool.name());
            String apiVersion = bufferApi.apiVersion().orElseThrow();
            Map<String, Integer> split = zones.isEmpty() ? java.util.Collections.singletonMap(null, stable) : zones;
            boolean accepted = true;
            for (Map.Entry<String, Integer> part : split.entrySet()) {
                String name = HeadroomObjects.deploymentName(settings, pool.name(), part.getKey());
                wantedBuffers.add(name);
                buffers.apply(client, apiVersion, bufferObjects, HeadroomObjects.podTemplate(settings, pool, part.getKey()),
                        part.getValue());
                var current = bufferObjects.buffers().get(name);
                accepted &= current != null && CapacityBufferStatus.of(current).ready() == 1;
            }
            // auto: a served API does not mean an autoscaler acts on buffers (cluster-autoscaler needs
            // --capacity-buffer-controller-enabled and --capacity-buffer-pod-injection-enabled); the
            // pause pods stay until the autoscaler has accepted every buffer of the pool.
            pausePods = pool.mode() == HeadroomPool.Mode.AUTO && !accepted;
        }
        if (pausePods && zones.isEmpty()) {
            wanted.add(HeadroomObjects.deploymentName(settings, pool.name(), null));
            applyDeployment(client, existing, HeadroomObjects.deployment(settings, pool, null, stable, className), plan);
        } else if (pausePods) {
            for (Map.Entry<String, Integer> zone : zones.entrySet()) {
                wanted.add(HeadroomObjects.deploymentName(settings, pool.name(), zone.getKey()));
                applyDeployment(client, existing,
                        HeadroomObjects.deployment(settings, pool, zone.getKey(), zone.getValue(), className), plan);
            }
        }
        int total = zones.isEmpty() ? stable : zones.values().stream().mapToInt(Integer::intValue).sum();
        poolGauge(pool.name()).set(total);
        applied.put(pool.name(), zones.isEmpty() ? Map.of() : Map.copyOf(zones));
        return plan;
    }

    /** The schedule window in force per pool after the last pass (a pool with none is absent). */
    public Map<String, String> windows() {
        return Map.copyOf(windows);
    }

    /** Tests move the reconciler's clock (the timer still runs in real time). */
    void clock(java.time.Clock clock) {
        this.clock = clock;
    }

    /**
     * Node and ConfigMap events do not happen when a window opens or closes, so a timer wakes the
     * reconciler then; with no boundary within {@link HeadroomSchedule#HORIZON}, it looks again then.
     */
    private void wakeAtNextBoundary(java.util.Collection<HeadroomPool> pools, Instant now) {
        ScheduledExecutorService scheduler = executor;
        java.util.concurrent.ScheduledFuture<?> previous = boundaryTimer;
        if (previous != null) {
            previous.cancel(false);
        }
        boundaryTimer = null;
        List<HeadroomWindow> all = pools.stream().flatMap(p -> p.schedules().stream()).toList();
        if (scheduler == null || all.isEmpty()) {
            return;
        }
        Instant due = HeadroomSchedule.nextBoundary(all, now).orElse(now.plus(HeadroomSchedule.HORIZON));
        try {
            boundaryTimer = scheduler.schedule(this::trigger, Math.max(0, due.toEpochMilli() - now.toEpochMilli()) + 1,
                    TimeUnit.MILLISECONDS);
        } catch (RuntimeException rejected) {
            // stopped meanwhile
        }
    }

    /** The zones of the schedulable counted nodes (a node without the zone label is in none). */
    public static List<String> zonesOf(List<Node> counted) {
        return counted.stream()
                .filter(n -> !NodeCensus.isCordoned(n))
                .map(n -> n.getMetadata().getLabels() == null ? null
                        : n.getMetadata().getLabels().get(HeadroomPool.ZONE_LABEL))
                .filter(Objects::nonNull)
                .toList();
    }

    private AtomicInteger poolGauge(String pool) {
        return poolReplicas.computeIfAbsent(pool, name -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder("headstart.headroom.replicas", value, AtomicInteger::get)
                    .description("Headroom pause pods the current plan of this pool asks for")
                    .tag("pool", name)
                    .register(registry);
            return value;
        });
    }

    private static String poolOf(Deployment deployment) {
        Map<String, String> labels = deployment.getMetadata().getLabels();
        return labels == null ? null : labels.get(HeadroomObjects.POOL_LABEL);
    }

    /**
     * Deletes the headroom Deployments no pool wants any more (a removed pool, a zone without
     * nodes): only those labelled both as Headstart's and with a headroom pool.
     */
    private void removeUnwanted(KubernetesClient client, Map<String, Deployment> existing, Set<String> wanted,
            Set<String> pools) {
        for (Deployment d : existing.values()) {
            String name = d.getMetadata().getName();
            String pool = poolOf(d);
            if (pool == null || wanted.contains(name)) {
                continue;
            }
            client.apps().deployments().inNamespace(settings.namespace()).withName(name).delete();
            LOG.infof("headroom: deleted Deployment %s/%s (%s)", settings.namespace(), name,
                    pools.contains(pool) ? "pool " + pool + " no longer uses it" : "pool " + pool + " was removed");
        }
    }

    private List<Node> nodes(KubernetesClient client) {
        Subscription<Node> informer = nodeInformer;
        if (informer != null && informer.hasSynced()) {
            return informer.list();
        }
        return client.nodes().list().getItems();
    }

    private ConfigMap configMap(KubernetesClient client) {
        Subscription<ConfigMap> informer = paramsInformer;
        return informer != null && informer.hasSynced()
                ? informer.get(settings.namespace() + "/" + settings.paramsConfigMap())
                : client.configMaps().inNamespace(settings.namespace()).withName(settings.paramsConfigMap()).get();
    }

    /**
     * The pools to apply: each good pool as written now, each bad one as it last was good (reported
     * once per ConfigMap version), or null when there never were good parameters.
     */
    private Map<String, HeadroomPool> currentPools(KubernetesClient client, ConfigMap configMap) {
        if (configMap == null) {
            createDefaultParams(client);
            lastGood = defaultParams;
            lastGoodPools.clear();
            lastGoodPools.put(HeadroomPool.DEFAULT, HeadroomPool.fromSettings(settings, defaultParams));
            return new LinkedHashMap<>(lastGoodPools);
        }
        String text = configMap.getData() == null ? null : configMap.getData().get(settings.paramsKey());
        String version = configMap.getMetadata().getResourceVersion();
        HeadroomPool.Parsed parsed;
        try {
            parsed = HeadroomPool.parseAll(text, settings);
            reportedBadVersion = null;
        } catch (InvalidHeadroomParamsException e) {
            if (!Objects.equals(version, reportedBadVersion)) {
                reportedBadVersion = version;
                invalidParams.increment();
                LOG.warnf("headroom: ConfigMap %s/%s key %s is invalid (%s); keeping the last good parameters",
                        settings.namespace(), settings.paramsConfigMap(), settings.paramsKey(), e.getMessage());
                reportInvalid(client, configMap, e.getMessage());
            }
            return lastGoodPools.isEmpty() ? null : new LinkedHashMap<>(lastGoodPools);
        }
        Map<String, HeadroomPool> pools = new LinkedHashMap<>(parsed.pools());
        for (Map.Entry<String, String> error : parsed.errors().entrySet()) {
            String pool = error.getKey();
            String key = version + "/" + error.getValue();
            boolean kept = lastGoodPools.containsKey(pool);
            if (!key.equals(reportedPoolErrors.get(pool))) {
                reportedPoolErrors.put(pool, key);
                poolErrors(pool).increment();
                LOG.warnf("headroom: pool %s in ConfigMap %s/%s is invalid (%s); %s", pool, settings.namespace(),
                        settings.paramsConfigMap(), error.getValue(),
                        kept ? "keeping its last good spec" : "it has none: nothing is created for it");
                event(client, configMap, "InvalidHeadroomPool", error.getValue()
                        + (kept ? "; its last good spec stays" : "; nothing is created for it"));
            }
            if (kept) {
                pools.put(pool, lastGoodPools.get(pool));
            }
        }
        reportedPoolErrors.keySet().retainAll(parsed.errors().keySet());
        if (!pools.equals(lastGoodPools)) {
            LOG.infof("headroom pools (ConfigMap version %s): %s", version, pools.values());
        }
        lastGoodPools.clear();
        lastGoodPools.putAll(pools);
        if (!parsed.poolsForm() && pools.containsKey(HeadroomPool.DEFAULT)) {
            lastGood = pools.get(HeadroomPool.DEFAULT).sizing();
        }
        return pools;
    }

    private Counter poolErrors(String pool) {
        return Counter.builder("headstart.headroom.pool.errors")
                .description("Headroom pools found invalid or failed to apply (the others went on)")
                .tag("pool", pool)
                .register(registry);
    }

    private void createDefaultParams(KubernetesClient client) {
        ConfigMap configMap = new ConfigMapBuilder()
                .withNewMetadata()
                    .withName(settings.paramsConfigMap())
                    .withNamespace(settings.namespace())
                    .withLabels(HeadroomObjects.labels(settings))
                .endMetadata()
                .withData(Map.of(settings.paramsKey(), settings.defaultParams()))
                .build();
        try {
            client.configMaps().inNamespace(settings.namespace()).resource(configMap).create();
            LOG.infof("headroom: created ConfigMap %s/%s with the default parameters", settings.namespace(),
                    settings.paramsConfigMap());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    private void reportInvalid(KubernetesClient client, ConfigMap configMap, String message) {
        event(client, configMap, "InvalidHeadroomParams", "key " + settings.paramsKey() + ": " + message
                + "; the last good parameters stay");
    }

    /** A Warning Event on one of Headstart's CapacityBuffers (kubectl describe shows it there). */
    private void bufferEvent(io.fabric8.kubernetes.api.model.GenericKubernetesResource buffer, String reason,
            String message) {
        warn(clients.get(), new ObjectReferenceBuilder()
                .withApiVersion(buffer.getApiVersion())
                .withKind(HeadroomBuffers.KIND)
                .withNamespace(settings.namespace())
                .withName(buffer.getMetadata().getName())
                .withUid(buffer.getMetadata().getUid())
                .build(), reason, message);
    }

    /** The shapeFrom watches (tests wait for them). */
    ShapeWatches shapeWatches() {
        return shapeWatches;
    }

    /** The CapacityBuffer discovery (tests ask it again, as the periodic re-check does). */
    CapacityBufferApi bufferApi() {
        return bufferApi;
    }

    private void event(KubernetesClient client, ConfigMap configMap, String reason, String message) {
        warn(client, new ObjectReferenceBuilder()
                .withApiVersion("v1")
                .withKind("ConfigMap")
                .withNamespace(settings.namespace())
                .withName(configMap.getMetadata().getName())
                .withUid(configMap.getMetadata().getUid())
                .withResourceVersion(configMap.getMetadata().getResourceVersion())
                .build(), reason, message);
    }

    /** A Warning Event about one object in the install namespace; a failure to record it is only logged. */
    private void warn(KubernetesClient client, io.fabric8.kubernetes.api.model.ObjectReference involved, String reason,
            String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        try {
            client.v1().events().inNamespace(settings.namespace()).resource(new EventBuilder()
                    .withNewMetadata()
                        .withName(involved.getName() + "." + Long.toHexString(System.nanoTime()))
                        .withNamespace(settings.namespace())
                    .endMetadata()
                    .withInvolvedObject(involved)
                    .withType("Warning")
                    .withReason(reason)
                    .withMessage(message)
                    .withFirstTimestamp(now)
                    .withLastTimestamp(now)
                    .withCount(1)
                    .withNewSource().withComponent("headstart-controller").endSource()
                    .build()).create();
        } catch (KubernetesClientException e) {
            LOG.warnf("headroom: could not record an Event (%s): %s", reason, e.getMessage());
        }
    }

    /** The class the Deployment's pod template names now, when it is one of the two headroom names. */
    private String classInUse(java.util.Collection<Deployment> deployments) {
        for (Deployment deployment : deployments) {
            String name = deployment.getSpec() == null || deployment.getSpec().getTemplate() == null
                    || deployment.getSpec().getTemplate().getSpec() == null
                    ? null : deployment.getSpec().getTemplate().getSpec().getPriorityClassName();
            if (name != null && HeadroomObjects.classNames(settings).contains(name)) {
                return name;
            }
        }
        return settings.name();
    }

    /**
     * Makes sure a class of the configured value exists and returns its name: the one in use when
     * it already has that value, else the other of the two names (see {@link HeadroomObjects#classNames}),
     * created (or replaced: nothing new uses it) before the pod template moves to it.
     */
    private String ensurePriorityClass(KubernetesClient client, String inUse) {
        List<String> names = HeadroomObjects.classNames(settings);
        String spare = names.get(0).equals(inUse) ? names.get(1) : names.get(0);
        PriorityClass current = client.scheduling().v1().priorityClasses().withName(inUse).get();
        if (current == null || sameValue(current, HeadroomObjects.priorityClass(settings, inUse))) {
            ensureClass(client, inUse, current);
            return inUse;
        }
        PriorityClass other = client.scheduling().v1().priorityClasses().withName(spare).get();
        if (other != null && !sameValue(other, HeadroomObjects.priorityClass(settings, spare))) {
            client.scheduling().v1().priorityClasses().withName(spare).delete();
            other = null;
        }
        LOG.infof("headroom: PriorityClass %s has value %s, %d is configured: placeholders move to %s", inUse,
                current.getValue(), settings.priority(), spare);
        ensureClass(client, spare, other);
        return spare;
    }

    private static boolean sameValue(PriorityClass existing, PriorityClass desired) {
        return Objects.equals(existing.getValue(), desired.getValue())
                && Objects.equals(existing.getPreemptionPolicy(), desired.getPreemptionPolicy());
    }

    /** After the template names {@code used}: the other headroom class goes, if it is Headstart's. */
    private void deleteUnusedClasses(KubernetesClient client, String used) {
        for (String name : HeadroomObjects.classNames(settings)) {
            if (name.equals(used)) {
                continue;
            }
            PriorityClass stale = client.scheduling().v1().priorityClasses().withName(name).get();
            if (stale != null && stale.getMetadata().getLabels() != null
                    && "headstart".equals(stale.getMetadata().getLabels().get(HeadroomObjects.MANAGED_BY_LABEL))) {
                client.scheduling().v1().priorityClasses().withName(name).delete();
                LOG.infof("headroom: deleted PriorityClass %s (value %s), no longer used", name, stale.getValue());
            }
        }
    }

    private void ensureClass(KubernetesClient client, String className, PriorityClass existing) {
        PriorityClass desired = HeadroomObjects.priorityClass(settings, className);
        if (existing == null) {
            client.scheduling().v1().priorityClasses().resource(desired).create();
            LOG.infof("headroom: created PriorityClass %s (value %d)", className, settings.priority());
            return;
        }
        if (!Objects.equals(existing.getDescription(), desired.getDescription())
                || !labelsInclude(existing.getMetadata().getLabels(), desired.getMetadata().getLabels())) {
            client.scheduling().v1().priorityClasses().withName(className).edit(pc -> {
                pc.setDescription(desired.getDescription());
                Map<String, String> labels = new HashMap<>(Optional.ofNullable(pc.getMetadata().getLabels()).orElse(Map.of()));
                labels.putAll(desired.getMetadata().getLabels());
                pc.getMetadata().setLabels(labels);
                return pc;
            });
        }
    }

    private void applyDeployment(KubernetesClient client, Map<String, Deployment> deployments, Deployment desired,
            HeadroomPlan plan) {
        String name = desired.getMetadata().getName();
        int replicas = desired.getSpec().getReplicas();
        var resource = client.apps().deployments().inNamespace(settings.namespace()).withName(name);
        Deployment existing = deployments.get(name);
        if (existing == null) {
            client.apps().deployments().inNamespace(settings.namespace()).resource(desired).create();
            LOG.infof("headroom: created Deployment %s/%s with %d replicas (%s: %d nodes, %d cores)",
                    settings.namespace(), name, replicas, plan.mode(), plan.nodes(), plan.cores());
            return;
        }
        String hash = desired.getMetadata().getAnnotations().get(HeadroomObjects.TEMPLATE_HASH);
        Map<String, String> annotations = existing.getMetadata().getAnnotations();
        boolean sameTemplate = annotations != null && hash.equals(annotations.get(HeadroomObjects.TEMPLATE_HASH));
        boolean sameReplicas = existing.getSpec() != null
                && Objects.equals(existing.getSpec().getReplicas(), replicas);
        if (sameTemplate && sameReplicas) {
            return;
        }
        resource.edit(deployment -> {
            if (!sameTemplate) {
                Map<String, String> labels = new HashMap<>(Optional.ofNullable(deployment.getMetadata().getLabels())
                        .orElse(Map.of()));
                labels.putAll(desired.getMetadata().getLabels());
                deployment.getMetadata().setLabels(labels);
                Map<String, String> merged = new HashMap<>(Optional.ofNullable(deployment.getMetadata().getAnnotations())
                        .orElse(Map.of()));
                merged.put(HeadroomObjects.TEMPLATE_HASH, hash);
                deployment.getMetadata().setAnnotations(merged);
                deployment.getSpec().setTemplate(desired.getSpec().getTemplate());
                deployment.getSpec().setStrategy(desired.getSpec().getStrategy());
            }
            deployment.getSpec().setReplicas(replicas);
            return deployment;
        });
        LOG.infof("headroom: Deployment %s/%s -> %d replicas (%s: %d nodes, %d cores, plan %d)%s", settings.namespace(),
                name, replicas, plan.mode(), plan.nodes(), plan.cores(), plan.replicas(),
                sameTemplate ? "" : ", pod template updated");
    }

    private static boolean labelsInclude(Map<String, String> labels, Map<String, String> wanted) {
        return labels != null && labels.entrySet().containsAll(wanted.entrySet());
    }

}
