package dev.headstart.controller.imagecache;

import dev.headstart.imagecache.CacheGroup;
import dev.headstart.imagecache.CachePlan;
import dev.headstart.imagecache.CachePolicy;
import dev.headstart.imagecache.NodeFacts;
import dev.headstart.imagecache.WorkloadTemplate;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one image-cache engine, shared by the controller ({@link ImageCacheReconciler}) and
 * {@code headstart images}: workload objects to the planner's templates, the {@link CachePlan},
 * and each group's DaemonSets ({@link ImageCacheShards}). Pure: the caller reads the objects and
 * writes (or prints) the result, so what the CLI shows is what the controller writes for the same
 * input and settings.
 */
public final class ImageCachePlanner {

    private ImageCachePlanner() {
    }

    /**
     * A plan and what carries it out.
     *
     * @param daemonSets group id → the group's DaemonSets in shard order (one for a group of up to
     *                   {@link ImageCacheShards#TARGET_IMAGES_PER_SHARD} images)
     */
    public record Planned(CachePlan plan, Map<String, List<DaemonSet>> daemonSets) {
        public Planned {
            daemonSets = Collections.unmodifiableMap(new LinkedHashMap<>(daemonSets));
        }

        /** Every DaemonSet, in plan then shard order. */
        public List<DaemonSet> all() {
            return daemonSets.values().stream().flatMap(List::stream).toList();
        }

        /** The group's DaemonSet whose pods pull the image, if the group caches it. */
        public Optional<DaemonSet> holding(String groupId, String image) {
            return daemonSets.getOrDefault(groupId, List.of()).stream()
                    .filter(ds -> ImageCacheView.Shard.of(ds).images().contains(image)).findFirst();
        }
    }

    /** The plan for these templates and nodes, and every group's DaemonSets as the controller writes them. */
    public static Planned plan(Collection<WorkloadTemplate> templates, Collection<NodeFacts> nodes,
            Map<String, RuntimeClass> runtimeClasses, CachePolicy policy, ImageCacheSettings settings) {
        CachePlan plan = CachePlan.of(templates, nodes, runtimeClasses, policy);
        Map<String, List<DaemonSet>> daemonSets = new LinkedHashMap<>();
        for (CacheGroup group : plan.groups()) {
            daemonSets.put(group.id(), ImageCacheShards.build(group, settings));
        }
        return new Planned(plan, daemonSets);
    }

    /**
     * The planner's templates of these workload objects: not Headstart's own (its cache DaemonSets,
     * headroom), each with its ServiceAccount's pull secrets and whether an autoscaler targets it.
     *
     * @param accountSecrets {@code namespace/name} of a ServiceAccount → its {@code imagePullSecrets}
     * @param autoscaled     {@code namespace/Kind/name} of each workload an HPA or ScaledObject targets
     */
    public static List<WorkloadTemplate> templates(Collection<? extends HasMetadata> workloads,
            Map<String, List<String>> accountSecrets, Set<String> autoscaled) {
        List<WorkloadTemplate> templates = new ArrayList<>();
        for (HasMetadata workload : workloads) {
            if (managedByHeadstart(workload)) {
                continue;
            }
            String namespace = workload.getMetadata().getNamespace();
            String kind = kindOf(workload);
            boolean scaled = autoscaled.contains(namespace + "/" + kind + "/" + workload.getMetadata().getName());
            WorkloadTemplate.of(workload, List.of(), scaled).ifPresent(t -> templates.add(new WorkloadTemplate(
                    t.namespace(), t.kind(), t.name(), t.spec(),
                    accountSecrets.getOrDefault(t.namespace() + "/" + t.serviceAccountName(), List.of()), t.demand())));
        }
        return templates;
    }

    /** The object's kind, as {@link WorkloadTemplate#of} names it. */
    static String kindOf(HasMetadata object) {
        return object.getKind() == null ? object.getClass().getSimpleName() : object.getKind();
    }

    /** Headstart's own objects (cache DaemonSets, headroom pause pods) are not workloads to cache. */
    public static boolean managedByHeadstart(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return labels != null && ImageCacheDaemonSet.MANAGED_BY.equals(labels.get(ImageCacheDaemonSet.MANAGED_BY_LABEL));
    }
}
