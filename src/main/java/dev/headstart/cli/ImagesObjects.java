package dev.headstart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.controller.imagecache.ImageCachePlanner;
import dev.headstart.controller.imagecache.ImageCacheReconciler;
import dev.headstart.imagecache.WorkloadTemplate;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What {@code headstart images} plans from: nodes, namespaces, the workloads the controller caches
 * (Deployments, StatefulSets, DaemonSets, CronJobs), ServiceAccounts (for their pull secrets),
 * RuntimeClasses (merged into the pods that name one), HPAs and KEDA ScaledObjects (which workloads
 * can scale up from zero) and Headstart's cache pods; read from what {@code kubectl get … -o yaml|json} prints, or listed
 * from a live cluster page by page.
 */
record ImagesObjects(List<Node> nodes, List<Namespace> namespaces, List<HasMetadata> workloads,
                     List<ServiceAccount> serviceAccounts, List<Pod> cachePods, List<RuntimeClass> runtimeClasses,
                     Set<String> autoscaled) {

    static final String NAME_LABEL = "app.kubernetes.io/name";
    static final String CACHE_NAME = "headstart-image-cache";

    private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();
    static final long PAGE = 500;

    static ImagesObjects read(ManifestReader dump) throws InputException {
        ImagesObjects objects = new ImagesObjects(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new TreeSet<>());
        dump.each(objects::collect);
        return objects;
    }

    /** Keeps what the plan needs; an object that cannot be read throws, and the reader skips and counts it. */
    private void collect(JsonNode document) {
        String kind = document.path("kind").asText("");
        String apiVersion = document.path("apiVersion").asText("");
        switch (apiVersion + " " + kind) {
            case "v1 Node" -> nodes.add(convert(document, Node.class));
            case "v1 Namespace" -> namespaces.add(convert(document, Namespace.class));
            case "v1 ServiceAccount" -> serviceAccounts.add(convert(document, ServiceAccount.class));
            case "v1 Pod" -> {
                Pod pod = convert(document, Pod.class);
                if (isCachePod(pod)) {
                    cachePods.add(pod);
                }
            }
            case "apps/v1 Deployment" -> workloads.add(convert(document, Deployment.class));
            case "apps/v1 StatefulSet" -> workloads.add(convert(document, StatefulSet.class));
            case "apps/v1 DaemonSet" -> workloads.add(convert(document, DaemonSet.class));
            case "batch/v1 CronJob" -> workloads.add(convert(document, CronJob.class));
            case "node.k8s.io/v1 RuntimeClass" -> runtimeClasses.add(convert(document, RuntimeClass.class));
            default -> {
                // HPAs (any version) and KEDA ScaledObjects: which workloads can scale up from zero
                if (kind.equals("HorizontalPodAutoscaler") && apiVersion.startsWith("autoscaling/")
                        || kind.equals("ScaledObject") && apiVersion.startsWith("keda.sh/")) {
                    JsonNode target = document.at("/spec/scaleTargetRef");
                    String targetKind = target.path("kind").asText("");
                    autoscaled.add(document.at("/metadata/namespace").asText("") + "/"
                            + (targetKind.isEmpty() ? "Deployment" : targetKind) + "/" + target.path("name").asText(""));
                }
                // other kinds say nothing about what to cache
            }
        }
    }

    private static <T> T convert(JsonNode document, Class<T> type) {
        return KUBERNETES.convertValue(document, type);
    }

    /** The RuntimeClasses by name. */
    Map<String, RuntimeClass> runtimeClassesByName() {
        Map<String, RuntimeClass> byName = new HashMap<>();
        runtimeClasses.forEach(rc -> byName.put(rc.getMetadata().getName(), rc));
        return byName;
    }

    /** Everything from the cluster; cache pods by their label. */
    static ImagesObjects list(KubernetesClient client) {
        List<HasMetadata> workloads = new ArrayList<>();
        workloads.addAll(paged(o -> client.apps().deployments().inAnyNamespace().list(o)));
        workloads.addAll(paged(o -> client.apps().statefulSets().inAnyNamespace().list(o)));
        workloads.addAll(paged(o -> client.apps().daemonSets().inAnyNamespace().list(o)));
        workloads.addAll(paged(o -> client.batch().v1().cronjobs().inAnyNamespace().list(o)));
        Set<String> autoscaled = new TreeSet<>();
        paged(o -> client.autoscaling().v2().horizontalPodAutoscalers().inAnyNamespace().list(o)).forEach(hpa -> {
            if (hpa.getSpec() != null && hpa.getSpec().getScaleTargetRef() != null) {
                autoscaled.add(hpa.getMetadata().getNamespace() + "/" + hpa.getSpec().getScaleTargetRef().getKind() + "/"
                        + hpa.getSpec().getScaleTargetRef().getName());
            }
        });
        return new ImagesObjects(
                paged(o -> client.nodes().list(o)),
                paged(o -> client.namespaces().list(o)),
                workloads,
                paged(o -> client.serviceAccounts().inAnyNamespace().list(o)),
                paged(o -> client.pods().inAnyNamespace().withLabel(NAME_LABEL, CACHE_NAME).list(o)),
                paged(o -> client.resources(RuntimeClass.class).list(o)),
                autoscaled);
    }

    private static <T extends HasMetadata, L extends KubernetesResourceList<T>> List<T> paged(Function<ListOptions, L> list) {
        List<T> all = new ArrayList<>();
        String next = null;
        do {
            L page = list.apply(new ListOptionsBuilder().withLimit(PAGE).withContinue(next).build());
            all.addAll(page.getItems());
            next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
        } while (next != null && !next.isEmpty());
        return all;
    }

    static boolean isCachePod(Pod pod) {
        Map<String, String> labels = pod.getMetadata() == null ? null : pod.getMetadata().getLabels();
        return labels != null && CACHE_NAME.equals(labels.get(NAME_LABEL));
    }

    /** The namespaces whose workloads the controller caches, or null when the input names no namespace. */
    List<String> optedInNamespaces() {
        if (namespaces.isEmpty()) {
            return null;
        }
        return namespaces.stream().filter(ImagesObjects::optedIn).map(n -> n.getMetadata().getName()).sorted().toList();
    }

    /** As the controller reads it ({@link ImageCacheReconciler#optedIn}). */
    static boolean optedIn(Namespace namespace) {
        return ImageCacheReconciler.optedIn(namespace);
    }

    /**
     * The templates of the workloads the controller would cache: in opted-in namespaces (all, when
     * the input names no namespace), not Headstart's own, with their ServiceAccount's pull secrets.
     */
    List<WorkloadTemplate> templates(List<String> optedIn) {
        Map<String, List<String>> accountSecrets = new HashMap<>();
        for (ServiceAccount account : serviceAccounts) {
            List<String> secrets = account.getImagePullSecrets() == null ? List.of()
                    : account.getImagePullSecrets().stream().filter(Objects::nonNull).map(LocalObjectReference::getName)
                            .filter(Objects::nonNull).toList();
            accountSecrets.put(account.getMetadata().getNamespace() + "/" + account.getMetadata().getName(), secrets);
        }
        List<HasMetadata> read = workloads.stream()
                .filter(w -> optedIn == null || optedIn.contains(w.getMetadata().getNamespace())).toList();
        // the controller's reading (ImageCacheInputs): one engine
        return ImageCachePlanner.templates(read, accountSecrets, autoscaled);
    }
}
