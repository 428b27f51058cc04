package dev.headstart.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.controller.imagecache.ImageCacheDaemonSet;
import dev.headstart.controller.imagecache.ImageCachePlanner;
import dev.headstart.controller.imagecache.ImageCacheView;
import dev.headstart.imagecache.CacheGroup;
import dev.headstart.imagecache.CachePlan;
import dev.headstart.imagecache.CachePodStatus;
import dev.headstart.imagecache.CachePolicy;
import dev.headstart.imagecache.CachedImage;
import dev.headstart.imagecache.ImageState;
import dev.headstart.imagecache.NodeFacts;
import dev.headstart.imagecache.WorkloadTemplate;
import dev.headstart.json.Json;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code headstart images} output: the cache groups and the DaemonSets that carry them (a large
 * group's shards, as the controller writes them), and per node what it should hold (in which
 * DaemonSet's pod, pulled with which secret), what did not fit the cap, why every other group is
 * not there (the scheduler's or kubelet's reason, the RuntimeClass it came from) and, when cache
 * pods were read, where each image stands.
 */
final class ImagesReport {

    private final CachePlan plan;
    private final ImageCachePlanner.Planned planned;
    private final CachePolicy policy;
    /** Group id → the RuntimeClasses its workloads name, whose scheduling was merged into its placement. */
    private final Map<String, List<RuntimeClass>> runtimeClasses = new HashMap<>();
    private final Map<String, NodeFacts> nodes = new TreeMap<>();
    /** Whether any cache pod was read: without, nothing is said about what is cached. */
    private final boolean cacheKnown;
    /** node → image → its best state across the node's cache pods. */
    private final Map<String, Map<String, CachedImage>> cached = new HashMap<>();
    private final Map<String, Integer> cachePodsOnNode = new HashMap<>();
    /** Nodes to show (empty: every node); groups are always shown whole. */
    private final List<String> onlyNodes;
    private static final int SOME = 10;

    ImagesReport(ImageCachePlanner.Planned planned, CachePolicy policy, Collection<NodeFacts> nodeFacts,
                 Collection<Pod> cachePods, List<String> onlyNodes, Map<String, RuntimeClass> classes,
                 Collection<WorkloadTemplate> templates) {
        this.planned = planned;
        this.plan = planned.plan();
        Map<String, String> classOf = new HashMap<>();
        templates.forEach(t -> {
            if (t.spec() != null && t.spec().getRuntimeClassName() != null && classes.containsKey(t.spec().getRuntimeClassName())) {
                classOf.put(t.id(), t.spec().getRuntimeClassName());
            }
        });
        for (CacheGroup group : plan.groups()) {
            List<RuntimeClass> named = group.workloads().stream().map(classOf::get).filter(java.util.Objects::nonNull)
                    .distinct().sorted().map(classes::get).toList();
            if (!named.isEmpty()) {
                runtimeClasses.put(group.id(), named);
            }
        }
        this.onlyNodes = List.copyOf(onlyNodes);
        this.policy = policy;
        nodeFacts.forEach(n -> nodes.put(n.name(), n));
        this.cacheKnown = !cachePods.isEmpty();
        for (Pod pod : cachePods) {
            String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            if (node == null || node.isEmpty()) {
                continue;
            }
            cachePodsOnNode.merge(node, 1, Integer::sum);
            Map<String, CachedImage> images = cached.computeIfAbsent(node, n -> new HashMap<>());
            for (CachedImage image : CachePodStatus.of(pod)) {
                images.merge(image.image(), image, ImagesReport::better);
            }
        }
    }

    /** Cached beats failed beats pending; of two cached, the earlier. */
    private static CachedImage better(CachedImage a, CachedImage b) {
        if (a.state() != b.state()) {
            return rank(a.state()) <= rank(b.state()) ? a : b;
        }
        if (a.state() == ImageState.CACHED && a.since() != null && b.since() != null) {
            return a.since().isBefore(b.since()) ? a : b;
        }
        return a;
    }

    private static int rank(ImageState state) {
        return switch (state) {
            case CACHED -> 0;
            case FAILED -> 1;
            case PENDING -> 2;
        };
    }

    ObjectNode toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("maxPodsPerNode", policy.maxPodsPerNode());
        root.put("sharedNamespace", policy.sharedNamespace());
        ArrayNode groups = root.putArray("groups");
        for (CacheGroup group : plan.groups()) {
            ObjectNode g = groups.addObject();
            g.put("id", group.id());
            ArrayNode daemonSets = g.putArray("daemonSets");
            for (DaemonSet daemonSet : planned.daemonSets().getOrDefault(group.id(), List.of())) {
                ObjectNode d = daemonSets.addObject();
                d.put("namespace", daemonSet.getMetadata().getNamespace());
                d.put("name", daemonSet.getMetadata().getName());
                d.put("hash", ImageCacheDaemonSet.hashOf(daemonSet));
                strings(d.putArray("images"), ImageCacheView.Shard.of(daemonSet).images());
            }
            strings(g.putArray("runtimeClasses"), runtimeClassNames(group.id()));
            g.put("namespace", group.namespace());
            g.put("shared", group.shared());
            g.put("constraints", group.placement().describe());
            g.set("nodeSelector", Json.MAPPER.valueToTree(group.nodeSelector()));
            g.set("affinity", Json.MAPPER.valueToTree(group.affinity()));
            g.set("tolerations", Json.MAPPER.valueToTree(group.tolerations()));
            strings(g.putArray("pullSecrets"), group.pullSecrets());
            strings(g.putArray("images"), group.images());
            strings(g.putArray("workloads"), group.workloads());
            strings(g.putArray("nodes"), nodesRunning(group.id()));
            strings(g.putArray("overCapNodes"), overCapNodes(group.id()));
            strings(g.putArray("excludedNodes"), group.excludedNodes());
            g.put("demand", group.demand().describe());
        }
        ObjectNode notCached = root.putObject("notCached");
        plan.notCached().forEach((workload, reasons) -> strings(notCached.putArray(workload), reasons));
        ArrayNode nodeArray = root.putArray("nodes");
        for (String name : shownNodes()) {
            ObjectNode n = nodeArray.addObject();
            n.put("name", name);
            String note = note(name);
            if (note != null) {
                n.put("note", note);
            }
            strings(n.putArray("groups"), plan.groupsByNode().get(name));
            strings(n.putArray("images"), plan.imagesFor(name));
            ArrayNode holds = n.putArray("holds");
            for (String id : plan.groupsByNode().getOrDefault(name, List.of())) {
                CacheGroup group = plan.group(id).orElseThrow();
                for (String image : group.images()) {
                    ObjectNode h = holds.addObject();
                    h.put("image", image);
                    h.put("group", id);
                    h.put("daemonSet", daemonSetOf(id, image));
                    h.put("pulls", pulls(group));
                }
            }
            ArrayNode over = n.putArray("overCap");
            for (String id : plan.overCapByNode().getOrDefault(name, List.of())) {
                ObjectNode o = over.addObject();
                o.put("group", id);
                strings(o.putArray("images"), plan.group(id).map(CacheGroup::images).orElse(List.of()));
            }
            ArrayNode lacking = n.putArray("notHere");
            whyNot(name).forEach((id, reason) -> {
                ObjectNode l = lacking.addObject();
                l.put("group", id);
                l.put("reason", reason);
            });
            if (cacheKnown) {
                n.put("cachePods", cachePodsOnNode.getOrDefault(name, 0));
                ArrayNode cache = n.putArray("cache");
                for (String image : plan.imagesFor(name)) {
                    CachedImage state = cached.getOrDefault(name, Map.of()).get(image);
                    ObjectNode c = cache.addObject();
                    c.put("image", image);
                    if (state == null) {
                        c.put("state", "missing");
                        continue;
                    }
                    c.put("state", state.state().name().toLowerCase(java.util.Locale.ROOT));
                    if (state.since() != null) {
                        c.put("since", state.since().toString());
                    }
                    if (state.reason() != null) {
                        c.put("reason", state.reason());
                    }
                    if (state.message() != null) {
                        c.put("message", state.message());
                    }
                }
            }
        }
        return root;
    }

    void printTable(PrintWriter out) {
        int groups = plan.groups().size();
        int daemonSetCount = planned.all().size();
        // the cap counts groups; a sharded group runs one pod per shard on each of its nodes
        out.println(groups + " cache group" + (groups == 1 ? "" : "s") + " in " + daemonSetCount + " DaemonSet"
                + (daemonSetCount == 1 ? "" : "s") + ", at most " + policy.maxPodsPerNode() + " group"
                + (policy.maxPodsPerNode() == 1 ? "" : "s") + " per node");
        for (CacheGroup group : plan.groups()) {
            int running = nodesRunning(group.id()).size();
            List<String> overCap = overCapNodes(group.id());
            List<String> heldByOthers = group.excludedNodes().stream().filter(n -> !overCap.contains(n)).toList();
            out.println();
            out.println("group " + group.id() + "  " + (group.shared() ? "shared (" + group.namespace() + ")"
                    : "namespace " + group.namespace()) + "  on " + running + " node" + (running == 1 ? "" : "s")
                    + (overCap.isEmpty() ? "" : ", " + overCap.size() + " over the cap"));
            row(out, "where", group.placement().describe());
            if (runtimeClasses.containsKey(group.id())) {
                row(out, "runtime", "RuntimeClass " + String.join(", ", runtimeClassNames(group.id()))
                        + " (its nodeSelector, tolerations and overhead merged in, as admission does)");
            }
            List<DaemonSet> daemonSets = planned.daemonSets().getOrDefault(group.id(), List.of());
            row(out, daemonSets.size() == 1 ? "daemonset" : "daemonsets", daemonSets.size() == 1
                    ? group.namespace() + "/" + daemonSets.get(0).getMetadata().getName()
                    : daemonSets.size() + " shards in " + group.namespace() + ": " + some(daemonSets.stream()
                            .map(d -> d.getMetadata().getName() + " (" + ImageCacheView.Shard.of(d).images().size() + ")").toList()));
            row(out, "images", String.join(", ", group.images()));
            row(out, "workloads", String.join(", ", group.workloads()));
            row(out, "pulls", pullsWhy(group));
            if (!overCap.isEmpty()) {
                row(out, "over cap", some(overCap));
            }
            if (!heldByOthers.isEmpty()) {
                row(out, "not needed", some(heldByOthers) + " (other groups there hold its images)");
            }
            row(out, "rank", group.demand().describe());
        }
        if (!plan.notCached().isEmpty()) {
            out.println();
            out.println("not cached");
            plan.notCached().forEach((workload, reasons) -> reasons.forEach(r -> out.println("  " + workload + "  " + r)));
        }
        for (String name : shownNodes()) {
            out.println();
            List<String> ids = plan.groupsByNode().get(name);
            String note = note(name);
            if (note != null) {
                out.println("node " + name + "  " + note);
                continue;
            }
            int podCount = ids.stream().mapToInt(id -> planned.daemonSets().getOrDefault(id, List.of()).size()).sum();
            String pods = podCount + " cache pod" + (podCount == 1 ? "" : "s");
            if (cacheKnown) {
                pods += " (" + cachePodsOnNode.getOrDefault(name, 0) + " found)";
            }
            out.println("node " + name + "  " + pods + (ids.isEmpty() ? "" : ": " + String.join(", ", ids)));
            // one line per image: the groups holding it here, or those that would have but are over the cap
            Map<String, List<String>> holders = new TreeMap<>();
            for (String id : ids) {
                plan.group(id).map(CacheGroup::images).orElse(List.of())
                        .forEach(image -> holders.computeIfAbsent(image, i -> new ArrayList<>()).add(id));
            }
            Map<String, List<String>> overCap = new TreeMap<>();
            for (String id : plan.overCapByNode().getOrDefault(name, List.of())) {
                plan.group(id).map(CacheGroup::images).orElse(List.of()).stream().filter(image -> !holders.containsKey(image))
                        .forEach(image -> overCap.computeIfAbsent(image, i -> new ArrayList<>()).add(id));
            }
            TreeMap<String, String[]> lines = new TreeMap<>();
            holders.forEach((image, holding) -> lines.put(image, new String[]{image,
                    String.join(",", holding.stream().map(id -> daemonSetOf(id, image)).toList()),
                    cacheKnown ? state(name, image) : holding.stream().map(id -> pulls(plan.group(id).orElseThrow())).distinct()
                            .collect(java.util.stream.Collectors.joining("; "))}));
            overCap.forEach((image, wouldHold) -> lines.put(image, new String[]{image,
                    String.join(",", wouldHold.stream().map(id -> daemonSetOf(id, image)).toList()), "over the cap: not cached here"}));
            int imageWidth = lines.values().stream().mapToInt(l -> l[0].length()).max().orElse(0);
            int groupWidth = lines.values().stream().mapToInt(l -> l[1].length()).max().orElse(0);
            for (String[] line : lines.values()) {
                out.println(("  " + pad(line[0], imageWidth) + "  " + pad(line[1], groupWidth) + "  " + line[2]).stripTrailing());
            }
            // asked about this node: say why every other group is not here
            if (!onlyNodes.isEmpty()) {
                whyNot(name).forEach((id, reason) -> out.println("  not here: " + id + " ("
                        + some(plan.group(id).map(CacheGroup::images).orElse(List.of())) + "): " + reason));
            }
        }
        out.flush();
    }

    /**
     * Every group not running on the node, and why: the scheduler's or kubelet's reason its
     * workloads' pods could not run there, over the cap, or other groups there hold its images.
     */
    private Map<String, String> whyNot(String node) {
        Map<String, String> why = new java.util.LinkedHashMap<>();
        NodeFacts facts = nodes.get(node);
        List<String> here = plan.groupsByNode().getOrDefault(node, List.of());
        List<String> over = plan.overCapByNode().getOrDefault(node, List.of());
        for (CacheGroup group : plan.groups()) {
            if (here.contains(group.id())) {
                continue;
            }
            String refusal = facts == null ? null : fromRuntimeClass(group.id(), group.placement().refusal(facts, policy));
            why.put(group.id(), refusal != null ? refusal
                    : over.contains(group.id()) ? "over the cap (" + policy.maxPodsPerNode() + " cache pods; ranked by " + group.demand().describe() + ")"
                    : "not needed: other groups here hold its images");
        }
        return why;
    }

    /**
     * The refusal, saying which RuntimeClass the unmatched node selector or the missing toleration
     * came from when the group's workloads name one ({@code setScheduling} merged it into their pods).
     */
    private String fromRuntimeClass(String id, String refusal) {
        if (refusal == null) {
            return null;
        }
        for (RuntimeClass runtimeClass : runtimeClasses.getOrDefault(id, List.of())) {
            var scheduling = runtimeClass.getScheduling();
            if (scheduling == null) {
                continue;
            }
            boolean selector = scheduling.getNodeSelector() != null && scheduling.getNodeSelector().entrySet().stream()
                    .anyMatch(e -> refusal.startsWith("nodeSelector " + e.getKey() + "=" + e.getValue() + " "));
            boolean overhead = runtimeClass.getOverhead() != null && runtimeClass.getOverhead().getPodFixed() != null
                    && refusal.startsWith("insufficient ");
            if (selector || overhead) {
                return refusal + " (RuntimeClass " + runtimeClass.getMetadata().getName() + ")";
            }
        }
        return refusal;
    }

    private List<String> runtimeClassNames(String id) {
        return runtimeClasses.getOrDefault(id, List.of()).stream().map(rc -> rc.getMetadata().getName()).toList();
    }

    /** {@code namespace/name} of the group's DaemonSet whose pods pull the image (its shard). */
    private String daemonSetOf(String id, String image) {
        return planned.holding(id, image).map(d -> d.getMetadata().getNamespace() + "/" + d.getMetadata().getName())
                .orElse(id);
    }

    /**
     * How the group's pods pull: a shared group without a secret (every use of its images pulls
     * without one, or the nodes' own credentials do), a namespace group with its workloads' secrets.
     */
    private static String pulls(CacheGroup group) {
        if (group.shared()) {
            return "no pull secret (shared)";
        }
        return (group.pullSecrets().isEmpty() ? "no pull secret" : "pull secret " + String.join(", ", group.pullSecrets()))
                + " (namespace " + group.namespace() + ")";
    }

    /** {@link #pulls}, and why, for the group's table row. */
    private static String pullsWhy(CacheGroup group) {
        return pulls(group) + (group.shared() ? ": every use pulls its images without a secret, or the nodes' credentials do"
                : group.pullSecrets().isEmpty() ? ": another namespace pulls these images with a secret, so they are not shared"
                : ": a use pulls its images with a secret, so they are not shared");
    }

    /** The nodes to show: all, or those asked for. */
    private List<String> shownNodes() {
        return plan.groupsByNode().keySet().stream().filter(n -> onlyNodes.isEmpty() || onlyNodes.contains(n)).toList();
    }

    /** A node list for a table cell: the first ten, then how many more. */
    private static String some(List<String> names) {
        return names.size() <= SOME ? String.join(", ", names)
                : String.join(", ", names.subList(0, SOME)) + " and " + (names.size() - SOME) + " more";
    }

    /** Why a node gets no cache at all, or null. */
    private String note(String node) {
        NodeFacts facts = nodes.get(node);
        if (facts == null || facts.os().equals("linux")) {
            return null;
        }
        return facts.os().isEmpty() ? "no cache: no kubernetes.io/os label (cache pods run on linux nodes)"
                : "no cache: not a linux node (kubernetes.io/os=" + facts.os() + ")";
    }

    private String state(String node, String image) {
        CachedImage state = cached.getOrDefault(node, Map.of()).get(image);
        if (state == null) {
            return "missing: no cache pod on the node holds it";
        }
        return switch (state.state()) {
            case CACHED -> "cached" + (state.since() == null ? "" : " since " + state.since());
            case FAILED -> "failed: " + state.reason() + (state.message() == null ? "" : ": " + oneLine(state.message()));
            case PENDING -> "pending" + (state.reason() == null ? "" : " (" + state.reason() + ")");
        };
    }

    private List<String> overCapNodes(String id) {
        return plan.overCapByNode().entrySet().stream().filter(e -> e.getValue().contains(id)).map(Map.Entry::getKey).toList();
    }

    private List<String> nodesRunning(String id) {
        return plan.groupsByNode().entrySet().stream().filter(e -> e.getValue().contains(id)).map(Map.Entry::getKey).toList();
    }

    private static void row(PrintWriter out, String label, String value) {
        out.println("  " + pad(label, 10) + " " + value);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").strip();
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
