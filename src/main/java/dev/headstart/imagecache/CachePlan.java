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

/**
 * Which cache groups exist and which run on which node.
 *
 * <p>An image is shared when some workload pulls it without secrets (so the registry gives it to
 * anyone), or its registry gives it to nodes with their own credentials; it then goes to the
 * shared group of each of its workloads' placements. Otherwise it goes to the namespace group of
 * its workload's placement, which pulls with that namespace's workloads' secrets. A workload whose
 * images have different known platforms is split: each platform set is its own placement.
 *
 * <p>On each node, a group whose images other groups there already hold adds nothing and leaves the
 * node; where more groups remain than {@code maxPodsPerNode}, they are ranked (shared before
 * namespace groups, then most workloads, then id) and those past the cap leave the node too, and are
 * reported in {@code overCapByNode} (see {@link NodeShare}). A group's {@code excludedNodes} are all
 * the nodes it admits but leaves. {@code groupsByNode} has every node, with the ids in rank order
 * (an empty list where none runs).
 */
public record CachePlan(List<CacheGroup> groups, Map<String, List<String>> groupsByNode,
                        Map<String, List<String>> overCapByNode) {

    /** Shared first, then most workloads, then id. */
    static final Comparator<CacheGroup> RANK = Comparator.comparing((CacheGroup g) -> !g.shared())
            .thenComparing(g -> -g.workloads().size())
            .thenComparing(CacheGroup::id);

    public CachePlan {
        groups = List.copyOf(groups);
        groupsByNode = Collections.unmodifiableMap(new TreeMap<>(groupsByNode));
        overCapByNode = Collections.unmodifiableMap(new TreeMap<>(overCapByNode));
    }

    /** What accumulates into one group before the cap is applied. */
    private static final class Draft {
        final Placement placement;
        final boolean shared;
        final String namespace;
        final TreeSet<String> images = new TreeSet<>();
        final TreeSet<String> workloads = new TreeSet<>();
        final TreeSet<String> secrets = new TreeSet<>();

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

    public static CachePlan of(Collection<WorkloadTemplate> workloads, Collection<NodeFacts> nodes, CachePolicy policy) {
        List<WorkloadTemplate> templates = workloads.stream().filter(w -> w != null && w.spec() != null)
                .sorted(Comparator.comparing(WorkloadTemplate::id)).toList();
        Set<String> shared = sharedImages(templates, policy);

        Map<DraftKey, Draft> drafts = new HashMap<>();
        for (WorkloadTemplate workload : templates) {
            // one placement per platform set of the workload's images; its canonical text is the key
            Map<Set<String>, Optional<Keyed>> placements = new HashMap<>();
            for (String image : workload.images(policy)) {
                Optional<Keyed> placement = placements.computeIfAbsent(policy.architectures(image),
                        archs -> Placement.of(workload.spec(), archs, policy).map(p -> new Keyed(p, p.canonicalText())));
                if (placement.isEmpty()) {
                    continue;
                }
                boolean isShared = shared.contains(image);
                String namespace = isShared ? policy.sharedNamespace() : workload.namespace();
                Keyed where = placement.get();
                Draft draft = drafts.computeIfAbsent(new DraftKey(where.text(), isShared ? null : namespace),
                        key -> new Draft(where.placement(), isShared, namespace));
                draft.images.add(image);
                draft.workloads.add(workload.id());
                if (!isShared) {
                    draft.secrets.addAll(workload.pullSecrets());
                }
            }
        }

        List<CacheGroup> groups = new ArrayList<>();
        for (Draft draft : drafts.values()) {
            String id = CacheGroup.idOf(draft.placement, draft.shared, draft.namespace);
            groups.add(new CacheGroup(id, draft.namespace, draft.shared, draft.placement,
                    List.copyOf(draft.secrets), List.copyOf(draft.images), List.copyOf(draft.workloads), List.of()));
        }
        groups.sort(RANK);

        Map<String, List<String>> byNode = new TreeMap<>();
        Map<String, List<String>> overCap = new TreeMap<>();
        Map<String, List<String>> excluded = new HashMap<>();
        Map<List<String>, NodeShare> shares = new HashMap<>();
        List<NodeFacts> sortedNodes = nodes.stream().sorted(Comparator.comparing(NodeFacts::name)).toList();
        for (NodeFacts node : sortedNodes) {
            List<CacheGroup> admitted = groups.stream().filter(g -> g.placement().admits(node, policy)).toList();
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
        // run) gets no DaemonSet at all, rather than one that lists every node it is kept off.
        List<CacheGroup> capped = groups.stream()
                .filter(g -> needed.contains(g.id()) || !excluded.containsKey(g.id()))
                .map(g -> g.withExcludedNodes(excluded.getOrDefault(g.id(), List.of())))
                .toList();
        return new CachePlan(capped, byNode, overCap);
    }

    /** Images that some workload pulls without secrets, or whose registry the nodes pull from with their own credentials. */
    private static Set<String> sharedImages(List<WorkloadTemplate> templates, CachePolicy policy) {
        Set<String> shared = new HashSet<>();
        for (WorkloadTemplate workload : templates) {
            boolean noSecrets = workload.pullSecrets().isEmpty();
            for (String image : workload.images(policy)) {
                if (noSecrets || policy.pulledWithNodeCredentials(image)) {
                    shared.add(image);
                }
            }
        }
        return shared;
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
