package dev.headstart.imagecache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;

/**
 * Which cache groups exist and which run on which node.
 *
 * <p>Each workload's template is first admitted as the API server would admit its pods: its
 * RuntimeClass's overhead, node selector and tolerations merged in ({@link RuntimeClassScheduling}).
 * An image is shared when every workload that uses it pulls it without secrets (the registry gives
 * it to anyone), or its registry gives it to nodes with their own credentials; it then goes to the
 * shared group of each of its workloads' placements. Otherwise (some use pulls it with a secret:
 * perhaps it needs one) it goes to the namespace group of each of its workloads, which pulls with
 * that namespace's workloads' secrets: a secret that pulls it is used wherever one exists, and a
 * public image still pulls there. A workload whose images have
 * different known platforms is split: each platform set is its own placement.
 *
 * <p>On each node, a group whose images other groups there already hold adds nothing and leaves the
 * node; where more groups remain than {@code maxPodsPerNode}, they are ranked by the pods their
 * workloads are likely to start ({@link CacheGroup.Demand}; then shared before namespace groups,
 * then id) and those past the cap leave the node too, and are reported in {@code overCapByNode}
 * (see {@link NodeShare}). A group's {@code excludedNodes} are all the nodes it admits but leaves.
 * {@code groupsByNode} has every node, with the ids in rank order (an empty list where none runs);
 * the controller writes it onto the nodes as membership labels ({@link CacheMembership}).
 * {@code notCached}: workload id → why it (or one of its images) has no cache at all.
 */
public record CachePlan(List<CacheGroup> groups, Map<String, List<String>> groupsByNode,
                        Map<String, List<String>> overCapByNode, Map<String, List<String>> notCached) {

    /** Most running replicas, then most autoscaled from zero, then most idle; shared first; then id. */
    static final Comparator<CacheGroup> RANK = Comparator
            .comparing((CacheGroup g) -> -g.demand().runningReplicas())
            .thenComparing(g -> -g.demand().scalesFromZero())
            .thenComparing(g -> -g.demand().idle())
            .thenComparing(g -> !g.shared())
            .thenComparing(CacheGroup::id);

    public CachePlan {
        groups = List.copyOf(groups);
        groupsByNode = Collections.unmodifiableMap(new TreeMap<>(groupsByNode));
        overCapByNode = Collections.unmodifiableMap(new TreeMap<>(overCapByNode));
        notCached = Collections.unmodifiableMap(new TreeMap<>(notCached == null ? Map.of() : notCached));
    }

    public CachePlan(List<CacheGroup> groups, Map<String, List<String>> groupsByNode, Map<String, List<String>> overCapByNode) {
        this(groups, groupsByNode, overCapByNode, Map.of());
    }

    /** What accumulates into one group before the cap is applied. */
    private static final class Draft {
        final Placement placement;
        final boolean shared;
        final String namespace;
        final TreeSet<String> images = new TreeSet<>();
        final TreeSet<String> workloads = new TreeSet<>();
        final TreeSet<String> secrets = new TreeSet<>();
        CacheGroup.Demand demand = CacheGroup.Demand.NONE;

        Draft(Placement placement, boolean shared, String namespace) {
            this.placement = placement;
            this.shared = shared;
            this.namespace = namespace;
        }
    }

    private record DraftKey(String placement, String namespace) {
    }

    private record Keyed(Placement placement, String text) {
    }

    /** A template as admitted (RuntimeClass merged). */
    private record Admitted(WorkloadTemplate workload, PodSpec spec) {
    }

    public static CachePlan of(Collection<WorkloadTemplate> workloads, Collection<NodeFacts> nodes, CachePolicy policy) {
        return of(workloads, nodes, Map.of(), policy);
    }

    public static CachePlan of(Collection<WorkloadTemplate> workloads, Collection<NodeFacts> nodes,
                               Map<String, RuntimeClass> runtimeClasses, CachePolicy policy) {
        Map<String, List<String>> notCached = new TreeMap<>();
        List<Admitted> admittedTemplates = new ArrayList<>();
        workloads.stream().filter(w -> w != null && w.spec() != null)
                .sorted(Comparator.comparing(WorkloadTemplate::id)).forEach(w -> {
                    RuntimeClassScheduling.Result admitted = RuntimeClassScheduling.apply(w.spec(), runtimeClasses);
                    if (!admitted.admitted()) {
                        notCached.computeIfAbsent(w.id(), id -> new ArrayList<>()).add(admitted.rejection());
                    } else {
                        admittedTemplates.add(new Admitted(w, admitted.spec()));
                    }
                });
        Set<String> shared = sharedImages(admittedTemplates, policy);
        List<Toleration> cacheTolerations = policy.transientTolerations(nodes);

        Map<DraftKey, Draft> drafts = new HashMap<>();
        for (Admitted admitted : admittedTemplates) {
            WorkloadTemplate workload = admitted.workload();
            // one placement per platform set of the workload's images; its canonical text is the key
            Map<Set<String>, Optional<Keyed>> placements = new HashMap<>();
            for (String image : workload.images(policy)) {
                Optional<Keyed> placement = placements.computeIfAbsent(policy.architectures(image),
                        archs -> Placement.of(admitted.spec(), archs, policy)
                                .map(p -> p.withCacheTolerations(cacheTolerations))
                                .map(p -> new Keyed(p, p.canonicalText())));
                if (placement.isEmpty()) {
                    String os = Placement.osName(admitted.spec());
                    String reason = !os.equals(Placement.LINUX) ? "spec.os.name " + os + ": cache pods run on Linux nodes only"
                            : "no Linux node can run it (its node selector or affinity matches none)";
                    List<String> reasons = notCached.computeIfAbsent(workload.id(), id -> new ArrayList<>());
                    if (!reasons.contains(reason)) {
                        reasons.add(reason);
                    }
                    continue;
                }
                boolean isShared = shared.contains(image);
                String namespace = isShared ? policy.sharedNamespace() : workload.namespace();
                Keyed where = placement.get();
                Draft draft = drafts.computeIfAbsent(new DraftKey(where.text(), isShared ? null : namespace),
                        key -> new Draft(where.placement(), isShared, namespace));
                draft.images.add(image);
                if (draft.workloads.add(workload.id())) {
                    draft.demand = draft.demand.plus(workload.demand());
                }
                if (!isShared) {
                    draft.secrets.addAll(workload.pullSecrets());
                }
            }
        }

        List<CacheGroup> groups = new ArrayList<>();
        for (Draft draft : drafts.values()) {
            String id = CacheGroup.idOf(draft.placement, draft.shared, draft.namespace);
            groups.add(new CacheGroup(id, draft.namespace, draft.shared, draft.placement,
                    List.copyOf(draft.secrets), List.copyOf(draft.images), List.copyOf(draft.workloads), List.of(),
                    draft.demand));
        }
        groups.sort(RANK);

        Map<String, List<String>> byNode = new TreeMap<>();
        Map<String, List<String>> overCap = new TreeMap<>();
        Map<String, List<String>> excluded = new HashMap<>();
        Map<List<String>, NodeShare> shares = new HashMap<>();
        List<NodeFacts> sortedNodes = nodes.stream().sorted(Comparator.comparing(NodeFacts::name)).toList();
        // Nodes of one pool differ in name and labels no group reads: decide once per distinct shape.
        Set<String> readLabels = new HashSet<>(List.of(NodeFacts.OS_LABEL, NodeFacts.ARCH_LABEL));
        boolean readsNames = false;
        for (CacheGroup group : groups) {
            readLabels.addAll(group.placement().nodeSelector().keySet());
            for (var term : group.placement().requiredTerms()) {
                term.getMatchExpressions().forEach(r -> readLabels.add(r.getKey()));
                readsNames |= !term.getMatchFields().isEmpty();
            }
        }
        Map<List<Object>, List<CacheGroup>> admittedByShape = new HashMap<>();
        for (NodeFacts node : sortedNodes) {
            Map<String, String> read = new TreeMap<>();
            node.labels().forEach((k, v) -> {
                if (readLabels.contains(k)) {
                    read.put(k, v);
                }
            });
            List<Object> shape = List.of(readsNames ? node.name() : "", read, node.taints(), node.allocatable(), node.unschedulable());
            List<CacheGroup> admitted = admittedByShape.computeIfAbsent(shape,
                    k -> groups.stream().filter(g -> g.placement().admits(node, policy)).toList());
            // nodes of one pool admit the same groups: share out once per distinct set
            NodeShare share = shares.computeIfAbsent(admitted.stream().map(CacheGroup::id).toList(),
                    ids -> NodeShare.of(admitted, policy.maxPodsPerNode()));
            byNode.put(node.name(), share.fitIds());
            if (!share.over().isEmpty()) {
                overCap.put(node.name(), share.overIds());
            }
            for (CacheGroup group : admitted) {
                if (!share.fitIds().contains(group.id())) {
                    excluded.computeIfAbsent(group.id(), id -> new ArrayList<>()).add(node.name());
                }
            }
        }
        Set<String> needed = new HashSet<>();
        byNode.values().forEach(needed::addAll);
        overCap.values().forEach(needed::addAll);
        // A group that some node admits but no node needs (others hold its images wherever it could
        // run) gets no DaemonSet at all.
        List<CacheGroup> capped = groups.stream()
                .filter(g -> needed.contains(g.id()) || !excluded.containsKey(g.id()))
                .map(g -> g.withExcludedNodes(excluded.getOrDefault(g.id(), List.of())))
                .toList();
        return new CachePlan(capped, byNode, overCap, notCached);
    }

    /**
     * Images every use of which pulls without secrets, or whose registry the nodes pull from with
     * their own credentials.
     */
    private static Set<String> sharedImages(List<Admitted> templates, CachePolicy policy) {
        Set<String> withSecret = new HashSet<>();
        Set<String> all = new HashSet<>();
        for (Admitted admitted : templates) {
            boolean secrets = !admitted.workload().pullSecrets().isEmpty();
            for (String image : admitted.workload().images(policy)) {
                all.add(image);
                if (secrets && !policy.pulledWithNodeCredentials(image)) {
                    withSecret.add(image);
                }
            }
        }
        all.removeAll(withSecret);
        return all;
    }

    /** Why the node lacks a group that some of its workloads' images are in: the placement's refusal, or null. */
    public String whyNot(CacheGroup group, NodeFacts node, CachePolicy policy) {
        return group.placement().refusal(node, policy);
    }

    public Optional<CacheGroup> group(String id) {
        return groups.stream().filter(g -> g.id().equals(id)).findFirst();
    }

    /** The groups by id, in plan order. */
    public Map<String, CacheGroup> groupsById() {
        Map<String, CacheGroup> byId = new LinkedHashMap<>();
        groups.forEach(g -> byId.put(g.id(), g));
        return byId;
    }

    /** The images the node's cache pods hold (within the cap), sorted. */
    public List<String> imagesFor(String node) {
        return imagesOf(groupsByNode.getOrDefault(node, List.of()));
    }

    /** Images the node's workloads use that no cache pod on it holds because their group is over the cap, sorted. */
    public List<String> overCapImagesFor(String node) {
        TreeSet<String> images = new TreeSet<>(imagesOf(overCapByNode.getOrDefault(node, List.of())));
        images.removeAll(imagesFor(node));
        return List.copyOf(images);
    }

    private List<String> imagesOf(List<String> ids) {
        Map<String, CacheGroup> byId = groupsById();
        TreeSet<String> images = new TreeSet<>();
        ids.stream().map(byId::get).filter(g -> g != null).forEach(g -> images.addAll(g.images()));
        return List.copyOf(images);
    }
}
