package dev.headstart.controller.headroom;

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
    private final NodeCensus census;
    private final HeadroomParams defaultParams;
    private final AtomicInteger replicas = new AtomicInteger();
    private final Counter invalidParams;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final ReentrantLock reconciling = new ReentrantLock();

    private final SharedInformers informers;
    private volatile ScheduledExecutorService executor;
    private volatile Subscription<Node> nodeInformer;
    /** Each cached node's part in the census, by name, updated by the node events. */
    private final Map<String, NodeCensus.Share> shares = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Subscription<ConfigMap> paramsInformer;
    private volatile HeadroomParams lastGood;
    private volatile String reportedBadVersion;

    @Inject
    public HeadroomReconciler(HeadstartConfig config, Instance<KubernetesClient> client, SharedInformers informers,
            MeterRegistry registry) {
        this(client::get, informers, HeadroomSettings.from(config), config.headroom().enabled(), registry);
    }

    /** With informers of its own (tests). */
    public HeadroomReconciler(KubernetesClient client, HeadroomSettings settings, MeterRegistry registry) {
        this(() -> client, new SharedInformers(() -> client, 500), settings, true, registry);
    }

    private HeadroomReconciler(Supplier<KubernetesClient> clients, SharedInformers informers, HeadroomSettings settings,
            boolean enabled, MeterRegistry registry) {
        this.clients = clients;
        this.informers = informers;
        this.settings = settings;
        this.enabled = enabled;
        this.census = settings.census();
        try {
            this.defaultParams = HeadroomParams.parse(settings.defaultParams());
        } catch (InvalidHeadroomParamsException e) {
            throw new IllegalArgumentException("headstart.headroom.default-params: " + e.getMessage());
        }
        Gauge.builder("headstart.headroom.replicas", replicas, AtomicInteger::get)
                .description("Headroom pause pods the current plan asks for")
                .register(registry);
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
        shares.clear();
        nodeInformer = informers.subscribe(ControllerKinds.NODES, new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                shares.put(node.getMetadata().getName(), census.share(node));
                trigger();
            }

            @Override
            public void onUpdate(Node before, Node after) {
                // Nodes update their status often; only changes that can move the plan count.
                NodeCensus.Share share = census.share(after);
                if (!share.equals(shares.put(after.getMetadata().getName(), share))) {
                    trigger();
                }
            }

            @Override
            public void onDelete(Node node, boolean finalStateUnknown) {
                shares.remove(node.getMetadata().getName());
                trigger();
            }
        });
        paramsInformer = informers.subscribe(ControllerKinds.configMap(settings.namespace(), settings.paramsConfigMap()),
                OnChange.run(this::trigger));
        CompletableFuture.allOf(nodeInformer.started(), paramsInformer.started()).whenComplete((ignored, error) -> trigger());
        long resync = settings.resync().toMillis();
        scheduler.scheduleWithFixedDelay(this::trigger, resync, resync, TimeUnit.MILLISECONDS);
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
        shares.clear();
        nodeInformer = null;
        paramsInformer = null;
        // Only the leader reports a plan, so the gauge summed over replicas is the leader's.
        replicas.set(0);
        LOG.info("headroom reconciler stopped");
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
     * One pass: PriorityClass, parameters, census, Deployment. Returns the plan applied, or empty
     * when there are no usable parameters yet.
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
            ensurePriorityClass(client);
            HeadroomParams params = currentParams(client);
            if (params == null) {
                LOG.warn("headroom: no valid parameters yet; the Deployment is left as it is");
                return Optional.empty();
            }
            NodeCensus.Tally tally = tally(client);
            HeadroomPlan plan = HeadroomPlan.of(tally.size(params.includeUnschedulableNodes()), params);
            applyDeployment(client, plan);
            replicas.set(plan.replicas());
            return Optional.of(plan);
        } finally {
            reconciling.unlock();
        }
    }

    private boolean listing() {
        Subscription<Node> nodes = nodeInformer;
        Subscription<ConfigMap> params = paramsInformer;
        return nodes != null && params != null && !(nodes.hasSynced() && params.hasSynced());
    }

    /**
     * From the shares kept per node as the events came (no node is rebuilt from the store) once
     * they cover every cached node; else counted from the cache, or from the API before it synced.
     */
    private NodeCensus.Tally tally(KubernetesClient client) {
        Subscription<Node> informer = nodeInformer;
        if (informer != null && informer.hasSynced()) {
            if (shares.size() == informer.keys().size()) {
                return NodeCensus.sum(List.copyOf(shares.values()));
            }
            return census.count(informer.list());
        }
        return census.count(client.nodes().list().getItems());
    }

    private HeadroomParams currentParams(KubernetesClient client) {
        Subscription<ConfigMap> informer = paramsInformer;
        ConfigMap configMap = informer != null && informer.hasSynced()
                ? informer.get(settings.namespace() + "/" + settings.paramsConfigMap())
                : client.configMaps().inNamespace(settings.namespace()).withName(settings.paramsConfigMap()).get();
        if (configMap == null) {
            createDefaultParams(client);
            lastGood = defaultParams;
            return defaultParams;
        }
        String text = configMap.getData() == null ? null : configMap.getData().get(settings.paramsKey());
        try {
            HeadroomParams params = HeadroomParams.parse(text);
            if (!params.equals(lastGood)) {
                LOG.infof("headroom parameters (ConfigMap version %s): %s", configMap.getMetadata().getResourceVersion(),
                        params);
            }
            lastGood = params;
            reportedBadVersion = null;
            return params;
        } catch (InvalidHeadroomParamsException e) {
            String version = configMap.getMetadata().getResourceVersion();
            if (!Objects.equals(version, reportedBadVersion)) {
                reportedBadVersion = version;
                invalidParams.increment();
                LOG.warnf("headroom: ConfigMap %s/%s key %s is invalid (%s); keeping the last good parameters",
                        settings.namespace(), settings.paramsConfigMap(), settings.paramsKey(), e.getMessage());
                reportInvalid(client, configMap, e.getMessage());
            }
            return lastGood;
        }
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
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        try {
            client.v1().events().inNamespace(settings.namespace()).resource(new EventBuilder()
                    .withNewMetadata()
                        .withName(settings.paramsConfigMap() + "." + Long.toHexString(System.nanoTime()))
                        .withNamespace(settings.namespace())
                    .endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder()
                            .withApiVersion("v1")
                            .withKind("ConfigMap")
                            .withNamespace(settings.namespace())
                            .withName(configMap.getMetadata().getName())
                            .withUid(configMap.getMetadata().getUid())
                            .withResourceVersion(configMap.getMetadata().getResourceVersion())
                            .build())
                    .withType("Warning")
                    .withReason("InvalidHeadroomParams")
                    .withMessage("key " + settings.paramsKey() + ": " + message + "; the last good parameters stay")
                    .withFirstTimestamp(now)
                    .withLastTimestamp(now)
                    .withCount(1)
                    .withNewSource().withComponent("headstart-controller").endSource()
                    .build()).create();
        } catch (KubernetesClientException e) {
            LOG.warnf("headroom: could not record an Event for the invalid parameters: %s", e.getMessage());
        }
    }

    private void ensurePriorityClass(KubernetesClient client) {
        PriorityClass desired = HeadroomObjects.priorityClass(settings);
        PriorityClass existing = client.scheduling().v1().priorityClasses().withName(settings.name()).get();
        if (existing == null) {
            client.scheduling().v1().priorityClasses().resource(desired).create();
            LOG.infof("headroom: created PriorityClass %s (value %d)", settings.name(), settings.priority());
            return;
        }
        if (!Objects.equals(existing.getValue(), desired.getValue())
                || !Objects.equals(existing.getPreemptionPolicy(), desired.getPreemptionPolicy())) {
            // value and preemptionPolicy are immutable: replace the class. Running pause pods keep their
            // old priority until the Deployment rolls them, which the template hash makes it do.
            LOG.infof("headroom: replacing PriorityClass %s (value %s -> %d)", settings.name(), existing.getValue(),
                    settings.priority());
            client.scheduling().v1().priorityClasses().withName(settings.name()).delete();
            client.scheduling().v1().priorityClasses().resource(desired).create();
            return;
        }
        if (!Objects.equals(existing.getDescription(), desired.getDescription())
                || !labelsInclude(existing.getMetadata().getLabels(), desired.getMetadata().getLabels())) {
            client.scheduling().v1().priorityClasses().withName(settings.name()).edit(pc -> {
                pc.setDescription(desired.getDescription());
                Map<String, String> labels = new HashMap<>(Optional.ofNullable(pc.getMetadata().getLabels()).orElse(Map.of()));
                labels.putAll(desired.getMetadata().getLabels());
                pc.getMetadata().setLabels(labels);
                return pc;
            });
        }
    }

    private void applyDeployment(KubernetesClient client, HeadroomPlan plan) {
        Deployment desired = HeadroomObjects.deployment(settings, plan.replicas());
        var resource = client.apps().deployments().inNamespace(settings.namespace()).withName(settings.name());
        Deployment existing = resource.get();
        if (existing == null) {
            client.apps().deployments().inNamespace(settings.namespace()).resource(desired).create();
            LOG.infof("headroom: created Deployment %s/%s with %d replicas (%s: %d nodes, %d cores)",
                    settings.namespace(), settings.name(), plan.replicas(), plan.mode(), plan.nodes(), plan.cores());
            return;
        }
        String hash = desired.getMetadata().getAnnotations().get(HeadroomObjects.TEMPLATE_HASH);
        Map<String, String> annotations = existing.getMetadata().getAnnotations();
        boolean sameTemplate = annotations != null && hash.equals(annotations.get(HeadroomObjects.TEMPLATE_HASH));
        boolean sameReplicas = existing.getSpec() != null
                && Objects.equals(existing.getSpec().getReplicas(), plan.replicas());
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
            deployment.getSpec().setReplicas(plan.replicas());
            return deployment;
        });
        LOG.infof("headroom: Deployment %s/%s -> %d replicas (%s: %d nodes, %d cores)%s", settings.namespace(),
                settings.name(), plan.replicas(), plan.mode(), plan.nodes(), plan.cores(),
                sameTemplate ? "" : ", pod template updated");
    }

    private static boolean labelsInclude(Map<String, String> labels, Map<String, String> wanted) {
        return labels != null && labels.entrySet().containsAll(wanted.entrySet());
    }

}
