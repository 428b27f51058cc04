package dev.headstart.controller.informers;

import dev.headstart.controller.imagecache.ImageCacheDaemonSet;
import dev.headstart.telemetry.ImagePull;
import dev.headstart.telemetry.PodStartup;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Every informer the controller runs, with the fields each store keeps. A field belongs here only
 * when some reconciler reads it; adding a reader means adding its field.
 */
public final class ControllerKinds {

    private ControllerKinds() {
    }

    public static final String OPT_IN_LABEL = "headstart.dev/inject";
    public static final String OPT_IN_VALUE = "enabled";

    /** Index of nodes by the keys of their taints. */
    public static final String TAINT_KEY_INDEX = "taint-key";
    /** Index of pods by {@code spec.nodeName}. */
    public static final String NODE_NAME_INDEX = "node-name";

    /**
     * All nodes, shared by headroom (readiness, labels, taints, cordon, allocatable CPU) and the warm
     * pool (taints, providerID, its annotations, registration time, uid for Events). Not kept:
     * managedFields, {@code status.images} (often most of a Node), addresses, capacity, nodeInfo,
     * volumes. Listed 100 to a page: an EKS node decodes to ~42 KB before the store slims it.
     */
    public static final CachedKind<Node> NODES = new CachedKind<>("nodes", Node.class, 0, client -> client.nodes(),
            List.of("metadata.labels", "metadata.annotations", "metadata.creationTimestamp", "metadata.uid",
                    "spec.taints", "spec.unschedulable", "spec.providerID",
                    "status.conditions", "status.allocatable"),
            Map.of(TAINT_KEY_INDEX, node -> node.getSpec() == null || node.getSpec().getTaints() == null ? List.of()
                    : node.getSpec().getTaints().stream().map(Taint::getKey).filter(Objects::nonNull).distinct().toList()))
            .withListPageSize(100);

    /** Namespaces labelled {@code headstart.dev/inject=enabled}, and nothing of the others. */
    public static final CachedKind<Namespace> OPTED_IN_NAMESPACES = new CachedKind<>("namespaces/opted-in",
            Namespace.class, 1, client -> client.namespaces().withLabel(OPT_IN_LABEL, OPT_IN_VALUE),
            List.of("metadata.labels", "metadata.annotations", "metadata.deletionTimestamp"), Map.of());

    /**
     * Every PriorityClass, for the background scan's priority-class rule: the value and preemption
     * policy of a class, and which one is the {@code globalDefault} (what the webhook's informer reads).
     */
    public static final CachedKind<PriorityClass> PRIORITY_CLASSES = new CachedKind<>("priorityclasses",
            PriorityClass.class, 1, client -> client.scheduling().v1().priorityClasses(),
            List.of("value", "preemptionPolicy", "globalDefault"), Map.of());

    /**
     * Every RuntimeClass, for the image cache: its overhead and scheduling (node selector,
     * tolerations) are merged into the pods that name it, as the RuntimeClass admission plugin does.
     */
    public static final CachedKind<RuntimeClass> RUNTIME_CLASSES = new CachedKind<>("runtimeclasses",
            RuntimeClass.class, 1, client -> client.resources(RuntimeClass.class),
            List.of("overhead", "scheduling"), Map.of());

    /** Headstart's own image-cache DaemonSets, in any namespace (also ones no longer opted in). */
    public static final CachedKind<DaemonSet> IMAGE_CACHE_DAEMONSETS = new CachedKind<>("daemonsets/image-cache",
            DaemonSet.class, 2, client -> client.apps().daemonSets().inAnyNamespace()
                    .withLabel(ImageCacheDaemonSet.NAME_LABEL, ImageCacheDaemonSet.NAME),
            List.of("metadata.labels", "metadata.annotations", "spec.template.metadata.annotations"), Map.of());

    /**
     * Pods of the image-cache DaemonSets: where they run, which group and template they were made
     * from (label, hash annotation), the image of each container (the images annotation: container
     * {@code cache-i} holds its i-th line) and the containers' statuses (pulled, pulling, failed;
     * the no-op installer's, which says why nothing starts when its own image cannot be pulled).
     * Not kept: the pod spec (the images are in the annotation), conditions, managedFields, and of
     * each status only its name and state: {@link CachePodStore}, compact, one container per image.
     */
    public static final CachedKind<Pod> IMAGE_CACHE_PODS = new CachedKind<>("pods/image-cache", Pod.class, 3,
            client -> client.pods().inAnyNamespace().withLabel(ImageCacheDaemonSet.NAME_LABEL, ImageCacheDaemonSet.NAME),
            List.of("metadata.labels", "metadata.annotations", "spec.nodeName", "status.containerStatuses",
                    "status.initContainerStatuses"),
            Map.of(NODE_NAME_INDEX, pod -> pod.getSpec() == null || pod.getSpec().getNodeName() == null ? List.of()
                    : List.of(pod.getSpec().getNodeName())),
            Set.of(ImageCacheDaemonSet.IMAGES_ANNOTATION, ImageCacheDaemonSet.HASH_ANNOTATION),
            () -> new CachePodStore(Set.of(ImageCacheDaemonSet.NAME_LABEL, ImageCacheDaemonSet.GROUP_LABEL),
                    Set.of(ImageCacheDaemonSet.IMAGES_ANNOTATION, ImageCacheDaemonSet.HASH_ANNOTATION)));

    /**
     * Every pod, for the startup telemetry. Its handlers read each pod whole as the watch delivers
     * it (conditions, creation time, annotation); the store only answers "which group is this
     * Pulled event's pod in" and gives deletes their uid, so it keeps the uid and the one
     * annotation, nothing else (see docs/startup-telemetry.md for the bytes per pod). Separate from
     * {@link #IMAGE_CACHE_PODS}: another selector, other fields, and a few pods, not all of them.
     * Starts after the small kinds: its initial list is the biggest; its pages hold 100 pods (each
     * page is decoded into whole pods before the store slims them).
     */
    public static final CachedKind<Pod> PODS = new CachedKind<>("pods", Pod.class, 5,
            client -> client.pods().inAnyNamespace(),
            List.of("metadata.uid", "metadata.annotations"), Map.of(), Set.of(PodStartup.APPLIED_ANNOTATION))
            .withListPageSize(100);

    /**
     * Pods the cpu-boost rule boosted (selected by the API server on its label), for the revert:
     * the record annotation, the containers' limits, readiness, the containers' {@code started},
     * start time. A few pods at a time (each boosted for minutes), so the store keeps whole specs.
     */
    public static final CachedKind<Pod> BOOSTED_PODS = new CachedKind<>("pods/cpu-boosted", Pod.class, 3,
            client -> client.pods().inAnyNamespace().withLabel(dev.headstart.rules.CpuBoostRecord.LABEL),
            List.of("metadata.uid", "metadata.annotations", "metadata.creationTimestamp", "metadata.deletionTimestamp",
                    "spec.containers", "spec.initContainers", "status.phase", "status.startTime", "status.conditions",
                    "status.containerStatuses", "status.initContainerStatuses"),
            Map.of(), Set.of(dev.headstart.rules.CpuBoostRecord.ANNOTATION,
                    dev.headstart.rules.CpuBoostRecord.BOOSTED_ANNOTATION));

    /**
     * The kubelets' {@code Pulled} events, selected by the API server ({@code fieldSelector=reason=Pulled}:
     * a busy cluster has ten other events per pod start). Only adds are read, from the delivered
     * object; the store keeps the key and resourceVersion (what the informer needs to tell an add
     * from an update), none of the event.
     */
    public static final CachedKind<Event> PULLED_EVENTS = new CachedKind<>("events/pulled", Event.class, 6,
            client -> client.v1().events().inAnyNamespace().withField("reason", ImagePull.REASON),
            List.of(), Map.of());

    /**
     * Headstart's pause pods in the install namespace (selected on Headstart's managed-by label), for
     * the headroom metrics: their pool label, phase and conditions (PodScheduled=Unschedulable:
     * pending; DisruptionTarget=PreemptionByScheduler at delete: preempted). A few pods, separate from
     * {@link #PODS} (uid and one annotation of every pod, and only while startup telemetry is on).
     */
    public static CachedKind<Pod> headroomPods(String namespace) {
        return new CachedKind<>("pods/headroom", Pod.class, 2,
                client -> client.pods().inNamespace(namespace)
                        .withLabel(dev.headstart.controller.headroom.HeadroomObjects.MANAGED_BY_LABEL, "headstart"),
                List.of("metadata.labels", "status.phase", "status.conditions"), Map.of());
    }

    /** One ConfigMap by name (the headroom parameters). */
    public static CachedKind<ConfigMap> configMap(String namespace, String name) {
        return new CachedKind<>("configmaps/" + namespace + "/" + name, ConfigMap.class, 0,
                client -> client.configMaps().inNamespace(namespace).withName(name),
                List.of("metadata.uid", "data"), Map.of());
    }

    /**
     * What the image cache reads of a workload: its uid (Events and PolicyReports name it), its
     * generation (an update that leaves it alone, such as a status update, changes no template) and its
     * pod template's images, pull secrets, service account (whose pull secrets count too) and
     * placement (node selector, affinity, tolerations, nodeName, RuntimeClass, OS, overhead and
     * pod-level resources; of each container only its name, image, resources and restart policy:
     * {@link PodTemplateContainers}), and {@code extra} fields of
     * the kind (its replicas or suspension: how many pods it is likely to start).
     */
    private static List<String> podSpecFields(String prefix, String... extra) {
        List<String> fields = new java.util.ArrayList<>(List.of("metadata.labels", "metadata.uid", "metadata.generation",
                prefix + ".containers", prefix + ".initContainers", prefix + ".imagePullSecrets",
                prefix + ".serviceAccountName", prefix + ".serviceAccount",
                prefix + ".tolerations", prefix + ".nodeSelector", prefix + ".affinity",
                prefix + ".nodeName", prefix + ".runtimeClassName", prefix + ".os", prefix + ".overhead",
                prefix + ".resources"));
        fields.addAll(List.of(extra));
        return List.copyOf(fields);
    }

    public static final NamespacedKind<Deployment> DEPLOYMENTS = new NamespacedKind<>("deployments", Deployment.class, 4,
            (client, namespace) -> client.apps().deployments().inNamespace(namespace), podSpecFields("spec.template.spec",
                    "spec.replicas"), PodTemplateContainers.imageCacheFields(d -> d.getSpec() == null
                    || d.getSpec().getTemplate() == null ? null : d.getSpec().getTemplate().getSpec()));

    public static final NamespacedKind<StatefulSet> STATEFUL_SETS = new NamespacedKind<>("statefulsets",
            StatefulSet.class, 4, (client, namespace) -> client.apps().statefulSets().inNamespace(namespace),
            podSpecFields("spec.template.spec", "spec.replicas"), PodTemplateContainers.imageCacheFields(s -> s.getSpec() == null
                    || s.getSpec().getTemplate() == null ? null : s.getSpec().getTemplate().getSpec()));

    public static final NamespacedKind<DaemonSet> DAEMON_SETS = new NamespacedKind<>("daemonsets", DaemonSet.class, 4,
            (client, namespace) -> client.apps().daemonSets().inNamespace(namespace), podSpecFields("spec.template.spec"),
            PodTemplateContainers.imageCacheFields(d -> d.getSpec() == null || d.getSpec().getTemplate() == null ? null
                    : d.getSpec().getTemplate().getSpec()));

    public static final NamespacedKind<CronJob> CRON_JOBS = new NamespacedKind<>("cronjobs", CronJob.class, 4,
            (client, namespace) -> client.batch().v1().cronjobs().inNamespace(namespace),
            podSpecFields("spec.jobTemplate.spec.template.spec", "spec.suspend"),
            PodTemplateContainers.imageCacheFields(c -> c.getSpec() == null || c.getSpec().getJobTemplate() == null
                    || c.getSpec().getJobTemplate().getSpec() == null
                    || c.getSpec().getJobTemplate().getSpec().getTemplate() == null ? null
                    : c.getSpec().getJobTemplate().getSpec().getTemplate().getSpec()));

    /**
     * HorizontalPodAutoscalers of opted-in namespaces, for their target: a workload at zero replicas
     * that one targets can be scaled up (KEDA manages an HPA for each ScaledObject, so this covers
     * KEDA too). Only the target is kept.
     */
    public static final NamespacedKind<HorizontalPodAutoscaler> AUTOSCALERS = new NamespacedKind<>("horizontalpodautoscalers",
            HorizontalPodAutoscaler.class, 4,
            (client, namespace) -> client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace),
            List.of("spec.scaleTargetRef"));

    /** The workload kinds whose pod templates the image cache reads. */
    public static final List<NamespacedKind<?>> WORKLOADS = List.of(DEPLOYMENTS, STATEFUL_SETS, DAEMON_SETS, CRON_JOBS);

    /**
     * ServiceAccounts of opted-in namespaces, for their {@code imagePullSecrets}: the ServiceAccount
     * admission plugin gives them to every pod of the account that names none of its own
     * (plugin/pkg/admission/serviceaccount/admission.go), so an image such a pod pulls needs them.
     */
    public static final NamespacedKind<ServiceAccount> SERVICE_ACCOUNTS = new NamespacedKind<>("serviceaccounts",
            ServiceAccount.class, 4, (client, namespace) -> client.serviceAccounts().inNamespace(namespace),
            List.of("imagePullSecrets"));
}
