package dev.headstart.scale;

import dev.headstart.controller.imagecache.ImageCacheDaemonSet;
import dev.headstart.controller.imagecache.ImageCacheShards;
import dev.headstart.controller.imagecache.ImageCacheSettings;
import dev.headstart.controller.warmpool.WarmupTaint;
import dev.headstart.imagecache.CacheGroup;
import dev.headstart.imagecache.CacheMembership;
import dev.headstart.imagecache.CachePlan;
import dev.headstart.imagecache.CachePolicy;
import dev.headstart.imagecache.NodeFacts;
import dev.headstart.imagecache.WorkloadDemand;
import dev.headstart.imagecache.WorkloadTemplate;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClassBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code make scale-bench}'s placement scenario (issue 20): the image-cache planner and the
 * DaemonSets it makes for a cluster of GPU, spot (arm64 and amd64) and on-demand pools with a
 * gVisor RuntimeClass, and opted-in workloads with requests. Prints, as one JSON line: the largest
 * DaemonSet pod template as written now (membership label) and as the per-node exclusion terms
 * wrote it before, the template writes (each a new ControllerRevision and a rollout) and node label
 * writes that 100 joining nodes cause either way, plan time and the heap the inputs and plan hold.
 *
 * <pre>
 * java -Xmx2g -cp target/test-classes:target/classes:$(cat target/scale/sim.classpath) \
 *     dev.headstart.scale.PlacementScenario 10000 2000 [cap] [runs]
 * </pre>
 */
public final class PlacementScenario {

    private PlacementScenario() {
    }

    public static void main(String[] args) {
        int nodeCount = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int workloadCount = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        int cap = args.length > 2 ? Integer.parseInt(args[2]) : CachePolicy.DEFAULT_MAX_PODS_PER_NODE;
        // the first runs include the JIT's work: more runs show the steady state
        int runs = args.length > 3 ? Math.max(1, Integer.parseInt(args[3])) : 3;
        ImageCacheSettings settings = new ImageCacheSettings("busybox:1.36.1-musl", List.of(),
                WarmupTaint.parse("headstart.dev/warmup=true:NoSchedule"), java.time.Duration.ofSeconds(1))
                .withMaxPodsPerNode(cap);
        CachePolicy policy = settings.policy();
        Map<String, RuntimeClass> classes = Map.of("gvisor", new RuntimeClassBuilder().withNewMetadata().withName("gvisor")
                .endMetadata().withHandler("runsc").withNewScheduling().withNodeSelector(Map.of("sandbox", "gvisor"))
                .withTolerations(new TolerationBuilder().withKey("sandbox").withOperator("Exists").withEffect("NoSchedule").build())
                .endScheduling().withNewOverhead().withPodFixed(Map.of("cpu", new Quantity("250m"), "memory", new Quantity("64Mi")))
                .endOverhead().build());

        List<NodeFacts> nodes = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            nodes.add(node(i, nodeCount));
        }
        List<WorkloadTemplate> workloads = workloads(workloadCount);

        long heapBefore = usedAfterGc();
        CachePlan plan = null;
        List<Long> times = new ArrayList<>();
        // CPU time of this thread as well as wall time: on a loaded host the wall time is mostly waiting
        List<Long> cpuTimes = new ArrayList<>();
        var threads = ManagementFactory.getThreadMXBean();
        for (int run = 0; run < runs; run++) {
            long start = System.nanoTime();
            long cpuStart = threads.getCurrentThreadCpuTime();
            plan = CachePlan.of(workloads, nodes, classes, policy);
            times.add((System.nanoTime() - start) / 1_000_000);
            cpuTimes.add((threads.getCurrentThreadCpuTime() - cpuStart) / 1_000_000);
        }
        long heapWithPlan = usedAfterGc();
        Map<String, DaemonSet> now = daemonSets(plan, settings);
        Map<String, String> before = beforeTemplates(plan, settings);

        // 100 nodes join (spot amd64: the pool that scales most)
        List<NodeFacts> grown = new ArrayList<>(nodes);
        for (int i = 0; i < 100; i++) {
            grown.add(spot("spot-amd64-new-" + i, "amd64"));
        }
        CachePlan after = CachePlan.of(workloads, grown, classes, policy);
        Map<String, DaemonSet> nowAfter = daemonSets(after, settings);
        Map<String, String> beforeAfter = beforeTemplates(after, settings);
        int templateWrites = changed(hashes(now), hashes(nowAfter));
        int beforeWrites = changed(before, beforeAfter);
        int labelWrites = 0;
        for (NodeFacts node : grown) {
            Map<String, String> labels = new HashMap<>();
            plan.groupsByNode().getOrDefault(node.name(), List.of()).forEach(id -> labels.put(CacheMembership.label(id), "true"));
            if (!CacheMembership.changes(labels, new TreeSet<>(after.groupsByNode().getOrDefault(node.name(), List.of()))).isEmpty()) {
                labelWrites++;
            }
        }
        long initialLabels = plan.groupsByNode().values().stream().filter(ids -> !ids.isEmpty()).count();

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("nodes", nodeCount);
        result.put("workloads", workloadCount);
        result.put("cap", cap);
        result.put("groups", plan.groups().size());
        result.put("planMillis", times);
        result.put("planCpuMillis", cpuTimes);
        result.put("largestTemplateBytes", now.values().stream().mapToInt(ds -> json(ds.getSpec().getTemplate()).length).max().orElse(0));
        result.put("daemonSets", now.size());
        result.put("largestUnshardedTemplateBytes", plan.groups().stream()
                .mapToInt(g -> json(ImageCacheDaemonSet.build(g, settings).getSpec().getTemplate()).length).max().orElse(0));
        result.put("largestTemplateBytesBefore", before.values().stream().mapToInt(String::length).max().orElse(0));
        result.put("join100TemplateWrites", templateWrites);
        result.put("join100TemplateWritesBefore", beforeWrites);
        result.put("join100NodeLabelWrites", labelWrites);
        result.put("initialNodeLabelWrites", initialLabels);
        result.put("notCachedWorkloads", plan.notCached().size());
        result.put("heapInputsMiB", heapBefore / (1 << 20));
        result.put("heapPlanMiB", (heapWithPlan - heapBefore) / (1 << 20));
        System.out.println(Serialization.asJson(result));
    }

    static NodeFacts node(int i, int total) {
        int gpu = total / 20;
        int spotArm = total * 3 / 10;
        int spotAmd = total * 3 / 10;
        int sandbox = total / 50;
        if (i < gpu) {
            return facts("gpu-" + i, Map.of("pool", "gpu", "karpenter.sh/capacity-type", "on-demand"), "amd64",
                    Map.of("cpu", "32", "memory", "128Gi", "nvidia.com/gpu", "4"),
                    new TaintBuilder().withKey("nvidia.com/gpu").withValue("present").withEffect("NoSchedule").build());
        }
        if (i < gpu + spotArm) {
            return spot("spot-arm64-" + i, "arm64");
        }
        if (i < gpu + spotArm + spotAmd) {
            return spot("spot-amd64-" + i, "amd64");
        }
        if (i < gpu + spotArm + spotAmd + sandbox) {
            return facts("sandbox-" + i, Map.of("pool", "sandbox", "sandbox", "gvisor", "karpenter.sh/capacity-type", "on-demand"),
                    "amd64", Map.of("cpu", "16", "memory", "64Gi"),
                    new TaintBuilder().withKey("sandbox").withValue("gvisor").withEffect("NoSchedule").build());
        }
        boolean big = i % 4 == 0;
        return facts("od-" + i, Map.of("pool", "general", "karpenter.sh/capacity-type", "on-demand"), "amd64",
                big ? Map.of("cpu", "32", "memory", "128Gi") : Map.of("cpu", "4", "memory", "16Gi"));
    }

    static NodeFacts spot(String name, String arch) {
        return facts(name, Map.of("pool", "spot", "karpenter.sh/capacity-type", "spot"), arch, Map.of("cpu", "8", "memory", "32Gi"),
                new TaintBuilder().withKey("spot").withValue("true").withEffect("NoSchedule").build());
    }

    static NodeFacts facts(String name, Map<String, String> labels, String arch, Map<String, String> allocatable, Taint... taints) {
        Map<String, String> all = new TreeMap<>(labels);
        all.put(NodeFacts.OS_LABEL, "linux");
        all.put(NodeFacts.ARCH_LABEL, arch);
        all.put("kubernetes.io/hostname", name);
        all.put("topology.kubernetes.io/zone", "eu-west-1" + "abc".charAt(Math.abs(name.hashCode()) % 3));
        Map<String, BigDecimal> resources = new TreeMap<>();
        allocatable.forEach((k, v) -> resources.put(k, new Quantity(v).getNumericalAmount()));
        resources.put("pods", BigDecimal.valueOf(110));
        return new NodeFacts(name, all, List.of(taints), resources, false);
    }

    /** GPU, spot-tolerating, gVisor and general workloads in 20 namespaces; every tenth has no replicas. */
    static List<WorkloadTemplate> workloads(int count) {
        Random random = new Random(20);
        List<WorkloadTemplate> workloads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String namespace = "team-" + (i % 20);
            int kind = i % 20;
            PodSpecBuilder spec = new PodSpecBuilder();
            String image = (i % 3 == 0 ? "ghcr.io/acme/" : "123456789012.dkr.ecr.eu-west-1.amazonaws.com/") + "svc-" + i + ":1." + (i % 7);
            String cpu = List.of("100m", "250m", "500m", "1", "2", "6").get(random.nextInt(6));
            Map<String, Quantity> requests = new TreeMap<>(Map.of("cpu", new Quantity(cpu), "memory", new Quantity("512Mi")));
            if (kind == 0) { // GPU
                requests.put("nvidia.com/gpu", new Quantity("1"));
                spec.withNodeSelector(Map.of("pool", "gpu")).addNewToleration().withKey("nvidia.com/gpu").withOperator("Exists")
                        .withEffect("NoSchedule").endToleration();
            } else if (kind <= 6) { // spot, either arch
                spec.addNewToleration().withKey("spot").withOperator("Equal").withValue("true").withEffect("NoSchedule").endToleration()
                        .withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                        .addNewNodeSelectorTerm().addNewMatchExpression().withKey("karpenter.sh/capacity-type").withOperator("In")
                        .withValues("spot").endMatchExpression().endNodeSelectorTerm()
                        .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity();
            } else if (kind == 7) { // sandboxed
                spec.withRuntimeClassName("gvisor");
            } else if (kind == 8) { // big
                requests.put("cpu", new Quantity("16"));
            }
            spec.addToContainers(new ContainerBuilder().withName("app").withImage(image).withNewResources().withRequests(requests)
                    .endResources().build());
            spec.addToContainers(new ContainerBuilder().withName("proxy").withImage("public.ecr.aws/envoy/envoy:v1.30." + (i % 4))
                    .build());
            if (i % 3 == 0) {
                spec.withImagePullSecrets(new LocalObjectReference("ghcr"));
            }
            WorkloadDemand demand = i % 10 == 9 ? new WorkloadDemand(WorkloadDemand.Tier.IDLE, 0)
                    : new WorkloadDemand(WorkloadDemand.Tier.RUNNING, 1 + random.nextInt(10));
            workloads.add(new WorkloadTemplate(namespace, "Deployment", "svc-" + i, spec.build(), List.of(), demand));
        }
        return workloads;
    }

    static Map<String, DaemonSet> daemonSets(CachePlan plan, ImageCacheSettings settings) {
        Map<String, DaemonSet> byGroup = new TreeMap<>();
        // Keyed by DaemonSet name: a large group is several shards (ImageCacheShards).
        plan.groups().forEach(g -> ImageCacheShards.build(g, settings).forEach(ds -> byGroup.put(ds.getMetadata().getName(), ds)));
        return byGroup;
    }

    /** The pod template as main wrote it: no membership label, one {@code metadata.name NotIn} per excluded node. */
    static Map<String, String> beforeTemplates(CachePlan plan, ImageCacheSettings settings) {
        Map<String, String> byGroup = new TreeMap<>();
        for (CacheGroup group : plan.groups()) {
            PodTemplateSpec template = ImageCacheDaemonSet.build(group, settings).getSpec().getTemplate();
            Map<String, String> selector = new TreeMap<>(template.getSpec().getNodeSelector());
            selector.remove(CacheMembership.label(group.id()));
            PodSpec spec = new PodSpecBuilder(template.getSpec()).withNodeSelector(selector)
                    .withAffinity(group.placement().podAffinity(group.excludedNodes())).build();
            byGroup.put(group.id(), new String(json(new PodTemplateSpecBuilder(template).withSpec(spec).build()), StandardCharsets.UTF_8));
        }
        return byGroup;
    }

    static Map<String, String> hashes(Map<String, DaemonSet> daemonSets) {
        Map<String, String> hashes = new TreeMap<>();
        daemonSets.forEach((id, ds) -> hashes.put(id, ImageCacheDaemonSet.hashOf(ds)));
        return hashes;
    }

    /** Templates written anew: changed, or new. */
    static int changed(Map<String, String> was, Map<String, String> is) {
        int writes = 0;
        for (Map.Entry<String, String> entry : is.entrySet()) {
            if (!entry.getValue().equals(was.get(entry.getKey()))) {
                writes++;
            }
        }
        return writes;
    }

    static byte[] json(Object o) {
        return Serialization.asJson(o).getBytes(StandardCharsets.UTF_8);
    }

    static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
