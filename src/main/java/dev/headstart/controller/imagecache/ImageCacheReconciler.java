package dev.headstart.controller.imagecache;

import dev.headstart.controller.OnChange;
import dev.headstart.controller.informers.ControllerKinds;
import dev.headstart.controller.informers.NamespacedKind;
import dev.headstart.controller.informers.OptedInInformers;
import dev.headstart.controller.informers.SharedInformers;
import dev.headstart.controller.informers.Subscription;
import dev.headstart.controller.DaemonScheduler;
import dev.headstart.cluster.ClusterAccess;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.controller.LeaderTask;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Keeps one {@code headstart-image-cache} DaemonSet in every opted-in namespace, holding the images
 * of that namespace's workloads. The shared informers of the opted-in namespaces, of their
 * workloads ({@link OptedInInformers}: nothing of the other namespaces is listed) and of
 * Headstart's own cache DaemonSets trigger a debounced per-namespace reconcile; the DaemonSet is
 * written only when its pod template would change. Inert until the leader election calls
 * {@link #start()}.
 */
/* Found by type (LeaderTask) by the leader election, never injected by name. */
@Unremovable
@Singleton
public class ImageCacheReconciler implements LeaderTask {

    private static final Logger LOG = Logger.getLogger(ImageCacheReconciler.class);
    public static final String OPT_IN_LABEL = "headstart.dev/inject";
    public static final String SWITCH_ANNOTATION = "headstart.dev/image-cache";
    private static final long RETRY_MILLIS = 10_000;

    private final Supplier<KubernetesClient> client;
    private final ImageCacheSettings settings;
    private final boolean active;
    private final Map<String, Boolean> pending = new ConcurrentHashMap<>();
    /** Reconciles finished, for tests that must know a pass happened and changed nothing. */
    private final java.util.concurrent.atomic.AtomicLong reconciles = new java.util.concurrent.atomic.AtomicLong();
    private final SharedInformers informers;
    private ScheduledExecutorService executor;
    /** Until the namespace and cache informers have listed, nothing is known: do nothing. */
    private volatile boolean synced;
    private OptedInInformers workloads;
    private Subscription<Namespace> namespaces;
    private Subscription<DaemonSet> caches;
    private Subscription<Namespace> namespaceSubscription;

    @Inject
    public ImageCacheReconciler(HeadstartConfig config, ClusterAccess cluster, Instance<KubernetesClient> client,
            SharedInformers informers) {
        this(client::get, informers, ImageCacheSettings.from(config),
                config.isController() && cluster.enabled() && config.imageCache().enabled());
    }

    /** With informers of its own (tests). */
    ImageCacheReconciler(Supplier<KubernetesClient> client, ImageCacheSettings settings, boolean active) {
        this(client, new SharedInformers(client, 500), settings, active);
    }

    ImageCacheReconciler(Supplier<KubernetesClient> client, SharedInformers informers, ImageCacheSettings settings,
            boolean active) {
        this.client = client;
        this.informers = informers;
        this.settings = settings;
        this.active = active;
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
        executor = DaemonScheduler.named("headstart-image-cache");
        OnChange<HasMetadata> inNamespace = new OnChange<>(obj -> enqueue(obj.getMetadata().getNamespace()));
        workloads = new OptedInInformers(informers, ControllerKinds.WORKLOADS, inNamespace, this::enqueue);
        namespaces = workloads.namespaces();
        OnChange<Namespace> namespaceChanged = new OnChange<>(ns -> enqueue(ns.getMetadata().getName()));
        Subscription<Namespace> namespaceEvents = informers.subscribe(ControllerKinds.OPTED_IN_NAMESPACES, namespaceChanged);
        caches = informers.subscribe(ControllerKinds.IMAGE_CACHE_DAEMONSETS, inNamespace);
        Subscription<DaemonSet> current = caches;
        CompletableFuture.allOf(namespaces.started(), current.started()).thenRun(() -> {
            synced = true;
            // Namespaces that should have a cache, and caches that may have to go.
            Set<String> all = new TreeSet<>(namespaces.keys());
            current.list().stream().filter(ImageCacheDaemonSet::isOurs)
                    .forEach(d -> all.add(d.getMetadata().getNamespace()));
            all.forEach(this::enqueue);
        });
        namespaceSubscription = namespaceEvents;
    }

    @Override
    public synchronized void stop() {
        synced = false;
        if (workloads != null) {
            workloads.close();
            namespaceSubscription.close();
            caches.close();
            workloads = null;
        }
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
        pending.clear();
    }

    /** Collapses a burst of events for one namespace into one reconcile after the debounce window. */
    private void enqueue(String namespace) {
        enqueue(namespace, settings.debounce().toMillis());
    }

    private synchronized void enqueue(String namespace, long delayMillis) {
        if (namespace == null || !synced || executor == null || pending.putIfAbsent(namespace, Boolean.TRUE) != null) {
            return;
        }
        ScheduledExecutorService current = executor;
        current.schedule(() -> {
            pending.remove(namespace);
            try {
                reconcile(namespace);
                reconciles.incrementAndGet();
            } catch (KubernetesClientException e) {
                LOG.warnf("image cache in %s not reconciled, retrying: %s", namespace, e.getMessage());
                enqueue(namespace, RETRY_MILLIS);
            } catch (RuntimeException e) {
                LOG.errorf("image cache in %s not reconciled: %s", namespace, e.toString());
                enqueue(namespace, RETRY_MILLIS);
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    void reconcile(String namespace) {
        Namespace ns = namespaces.get(namespace);
        if (optedIn(ns) && !workloads.synced(namespace)) {
            return; // its workload informers are still listing; they enqueue it once they have
        }
        // A DaemonSet of that name that is not ours shows in the namespace's own informer only.
        DaemonSet existing = caches.get(namespace + "/" + ImageCacheDaemonSet.NAME);
        if (existing == null) {
            existing = workloads.inNamespace(ControllerKinds.DAEMON_SETS, namespace).stream()
                    .filter(d -> ImageCacheDaemonSet.NAME.equals(d.getMetadata().getName())).findFirst().orElse(null);
        }
        if (existing != null && !ImageCacheDaemonSet.isOurs(existing)) {
            LOG.warnf("%s/%s exists and is not managed by Headstart; leaving it alone", namespace, ImageCacheDaemonSet.NAME);
            return;
        }
        ImageCachePlan plan = optedIn(ns) ? ImageCachePlan.of(podSpecs(namespace), settings) : null;
        var resource = client.get().apps().daemonSets().inNamespace(namespace).withName(ImageCacheDaemonSet.NAME);
        if (plan == null || plan.isEmpty()) {
            if (existing != null) {
                resource.delete();
                LOG.infof("image cache removed from %s", namespace);
            }
            return;
        }
        DaemonSet desired = ImageCacheDaemonSet.build(namespace, plan, settings);
        if (existing == null) {
            client.get().apps().daemonSets().inNamespace(namespace).resource(desired).create();
            LOG.infof("image cache created in %s with %d images", namespace, plan.images().size());
        } else if (!Objects.equals(ImageCacheDaemonSet.hashOf(existing), ImageCacheDaemonSet.hashOf(desired))) {
            resource.edit(current -> new DaemonSetBuilder(current)
                    .editMetadata()
                        .addToLabels(desired.getMetadata().getLabels())
                        .addToAnnotations(desired.getMetadata().getAnnotations())
                    .endMetadata()
                    .editSpec()
                        .withTemplate(desired.getSpec().getTemplate())
                        .withUpdateStrategy(desired.getSpec().getUpdateStrategy())
                    .endSpec()
                    .build());
            LOG.infof("image cache in %s updated to %d images", namespace, plan.images().size());
        }
    }

    long reconciles() {
        return reconciles.get();
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

    private List<PodSpec> podSpecs(String namespace) {
        List<PodSpec> specs = new ArrayList<>();
        for (Deployment d : inNamespace(ControllerKinds.DEPLOYMENTS, namespace)) {
            if (!managedByHeadstart(d)) {
                specs.add(d.getSpec().getTemplate().getSpec());
            }
        }
        for (StatefulSet s : inNamespace(ControllerKinds.STATEFUL_SETS, namespace)) {
            if (!managedByHeadstart(s)) {
                specs.add(s.getSpec().getTemplate().getSpec());
            }
        }
        for (DaemonSet d : inNamespace(ControllerKinds.DAEMON_SETS, namespace)) {
            if (!managedByHeadstart(d)) {
                specs.add(d.getSpec().getTemplate().getSpec());
            }
        }
        for (CronJob c : inNamespace(ControllerKinds.CRON_JOBS, namespace)) {
            if (!managedByHeadstart(c) && c.getSpec().getJobTemplate() != null
                    && c.getSpec().getJobTemplate().getSpec() != null
                    && c.getSpec().getJobTemplate().getSpec().getTemplate() != null) {
                specs.add(c.getSpec().getJobTemplate().getSpec().getTemplate().getSpec());
            }
        }
        return specs;
    }

    private <T extends HasMetadata> List<T> inNamespace(NamespacedKind<T> kind, String namespace) {
        return workloads.inNamespace(kind, namespace);
    }

    /** The namespaces whose workloads are watched now (tests). */
    Set<String> watchedNamespaces() {
        OptedInInformers current = workloads;
        return current == null ? Set.of() : current.followed();
    }

    /** Headstart's own objects (this cache, headroom pause pods) are not workloads to cache. */
    private static boolean managedByHeadstart(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return labels != null && ImageCacheDaemonSet.MANAGED_BY.equals(labels.get(ImageCacheDaemonSet.MANAGED_BY_LABEL));
    }
}
