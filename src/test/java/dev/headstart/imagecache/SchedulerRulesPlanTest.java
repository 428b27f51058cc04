package dev.headstart.imagecache;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClassBuilder;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static dev.headstart.imagecache.PlanFixtures.labels;
import static dev.headstart.imagecache.PlanFixtures.node;
import static dev.headstart.imagecache.PlanFixtures.taint;
import static dev.headstart.imagecache.PlanFixtures.toleration;
import static org.assertj.core.api.Assertions.assertThat;

/** The scheduler's and kubelet's rules beyond labels and taints: issue 20, cases 1–6 and 8. */
class SchedulerRulesPlanTest {

    static final CachePolicy POLICY = CachePolicy.defaults().withMaxPodsPerNode(5);

    static NodeFacts sized(String name, String cpu, String memory, Map<String, String> extra, Map<String, String> labels,
                           io.fabric8.kubernetes.api.model.Taint... taints) {
        Map<String, BigDecimal> allocatable = new java.util.TreeMap<>();
        allocatable.put("cpu", new Quantity(cpu).getNumericalAmount());
        allocatable.put("memory", new Quantity(memory).getNumericalAmount());
        allocatable.put("pods", BigDecimal.valueOf(110));
        extra.forEach((k, v) -> allocatable.put(k, new Quantity(v).getNumericalAmount()));
        return node(name, labels, taints).withAllocatable(allocatable);
    }

    static PodSpecBuilder spec(String image, Map<String, String> requests) {
        return new PodSpecBuilder().addToContainers(new ContainerBuilder().withName("app").withImage(image)
                .withNewResources().withRequests(quantities(requests)).endResources().build());
    }

    static Map<String, Quantity> quantities(Map<String, String> amounts) {
        Map<String, Quantity> q = new java.util.TreeMap<>();
        amounts.forEach((k, v) -> q.put(k, new Quantity(v)));
        return q;
    }

    static WorkloadTemplate deployment(String ns, String name, PodSpec spec) {
        return new WorkloadTemplate(ns, "Deployment", name, spec, List.of());
    }

    // --- case 1: resources ---

    @Test
    void aGpuWorkloadIsCachedOnlyWhereTheGpuIsAndABigPodOnlyWhereItFits() {
        var gpuTaint = taint("nvidia.com/gpu", "present", "NoSchedule");
        List<NodeFacts> nodes = List.of(
                sized("gpu-1", "16", "64Gi", Map.of("nvidia.com/gpu", "4"), labels("pool", "gpu"), gpuTaint),
                sized("cpu-small", "2", "8Gi", Map.of(), labels("pool", "cpu")),
                sized("cpu-big", "32", "128Gi", Map.of(), labels("pool", "cpu")));
        PodSpec trainer = spec("nvcr.io/nvidia/pytorch:24.05", Map.of("nvidia.com/gpu", "1", "cpu", "4"))
                .addToTolerations(toleration("nvidia.com/gpu", "Exists", null, "NoSchedule")).build();
        PodSpec big = spec("acme/big:1", Map.of("cpu", "16")).build();

        CachePlan plan = CachePlan.of(List.of(deployment("ml", "train", trainer), deployment("shop", "big", big)), nodes, POLICY);

        assertThat(plan.imagesFor("gpu-1")).as("big does not tolerate the GPU taint").containsExactly("nvcr.io/nvidia/pytorch:24.05");
        assertThat(plan.imagesFor("cpu-small")).isEmpty();
        assertThat(plan.imagesFor("cpu-big")).containsExactly("acme/big:1");
        CacheGroup gpu = plan.groups().stream().filter(g -> g.images().contains("nvcr.io/nvidia/pytorch:24.05")).findFirst().orElseThrow();
        assertThat(gpu.placement().refusal(nodes.get(1), POLICY)).startsWith("insufficient cpu, nvidia.com/gpu");
        assertThat(plan.groups().stream().filter(g -> g.images().contains("acme/big:1")).findFirst().orElseThrow()
                .placement().refusal(nodes.get(1), POLICY)).isEqualTo("insufficient cpu (pod requests cpu 16, allocatable cpu 2)");
    }

    @Test
    void podRequestsFollowTheSchedulersSumOfContainersInitMaximumSidecarsLimitsAndOverhead() {
        PodSpec spec = new PodSpecBuilder()
                .addToContainers(new ContainerBuilder().withName("a").withImage("a").withNewResources()
                        .withRequests(quantities(Map.of("cpu", "500m"))).endResources().build())
                .addToContainers(new ContainerBuilder().withName("b").withImage("b").withNewResources()
                        .withLimits(quantities(Map.of("memory", "1Gi", "cpu", "250m"))).endResources().build())
                .addToInitContainers(new ContainerBuilder().withName("sidecar").withImage("s").withRestartPolicy("Always")
                        .withNewResources().withRequests(quantities(Map.of("cpu", "100m"))).endResources().build())
                .addToInitContainers(new ContainerBuilder().withName("migrate").withImage("m").withNewResources()
                        .withRequests(quantities(Map.of("cpu", "2", "memory", "256Mi"))).endResources().build())
                .withOverhead(quantities(Map.of("cpu", "250m")))
                .build();

        var requests = PodRequests.of(spec, spec.getOverhead());

        // containers 0.5 + 0.25 (limit as request) + sidecar 0.1 = 0.85; migrate runs with the sidecar: 2.1 > 0.85
        assertThat(requests.get("cpu")).isEqualByComparingTo("2.35"); // 2.1 + overhead 0.25
        assertThat(requests.get("memory")).isEqualByComparingTo(new Quantity("1Gi").getNumericalAmount());
    }

    // --- case 2: RuntimeClass ---

    @Test
    void aRuntimeClassesNodeSelectorTolerationsAndOverheadAreMergedAsAdmissionDoes() {
        RuntimeClass gvisor = new RuntimeClassBuilder().withNewMetadata().withName("gvisor").endMetadata().withHandler("runsc")
                .withNewScheduling().withNodeSelector(Map.of("sandbox", "gvisor"))
                .withTolerations(toleration("sandbox", "Equal", "gvisor", "NoSchedule")).endScheduling()
                .withNewOverhead().withPodFixed(quantities(Map.of("cpu", "1"))).endOverhead().build();
        List<NodeFacts> nodes = List.of(
                sized("sandbox-1", "4", "16Gi", Map.of(), labels("sandbox", "gvisor"), taint("sandbox", "gvisor", "NoSchedule")),
                sized("plain-1", "4", "16Gi", Map.of(), labels()),
                sized("sandbox-tiny", "1", "16Gi", Map.of(), labels("sandbox", "gvisor"), taint("sandbox", "gvisor", "NoSchedule")));
        PodSpec sandboxed = spec("acme/untrusted:1", Map.of("cpu", "500m")).withRuntimeClassName("gvisor").build();
        PodSpec missing = spec("acme/other:1", Map.of()).withRuntimeClassName("kata").build();

        CachePlan plan = CachePlan.of(List.of(deployment("a", "sandboxed", sandboxed), deployment("a", "kata", missing)),
                nodes, Map.of("gvisor", gvisor), POLICY);

        assertThat(plan.imagesFor("sandbox-1")).containsExactly("acme/untrusted:1");
        assertThat(plan.imagesFor("plain-1")).isEmpty();
        assertThat(plan.imagesFor("sandbox-tiny")).as("0.5 CPU + 1 CPU overhead > 1").isEmpty();
        assertThat(plan.notCached().get("a/Deployment/kata")).singleElement().asString().contains("RuntimeClass kata not found");
        CacheGroup group = plan.groups().get(0);
        assertThat(group.nodeSelector()).containsEntry("sandbox", "gvisor");
        assertThat(group.tolerations()).contains(toleration("sandbox", "Equal", "gvisor", "NoSchedule"));
        // a pod selector that contradicts the class: rejected at admission, nothing cached
        PodSpec conflicting = spec("acme/x:1", Map.of()).withRuntimeClassName("gvisor").withNodeSelector(Map.of("sandbox", "kata")).build();
        CachePlan rejected = CachePlan.of(List.of(deployment("a", "x", conflicting)), nodes, Map.of("gvisor", gvisor), POLICY);
        assertThat(rejected.groups()).isEmpty();
        assertThat(rejected.notCached().get("a/Deployment/x")).singleElement().asString().contains("conflicts with RuntimeClass gvisor");
    }

    // --- case 3: spec.os ---

    @Test
    void aWindowsWorkloadIsNotCachedOnLinuxNodesAndSaysWhy() {
        PodSpec windows = spec("mcr.microsoft.com/windows/servercore:ltsc2022", Map.of()).withNewOs("windows").build();
        PodSpec linux = spec("nginx:1", Map.of()).withNewOs("linux").build();

        CachePlan plan = CachePlan.of(List.of(deployment("w", "win", windows), deployment("w", "lin", linux)),
                List.of(node("n1")), POLICY);

        assertThat(plan.imagesFor("n1")).containsExactly("nginx:1");
        assertThat(plan.notCached().get("w/Deployment/win")).containsExactly("spec.os.name windows: cache pods run on Linux nodes only");
    }

    // --- case 4: nodeName ---

    @Test
    void aPinnedWorkloadIsCachedOnItsNodeDespiteNoScheduleTaintsButNotNoExecuteOnesAndItsCachePodToleratesThem() {
        PodSpec pinned = spec("acme/pinned:1", Map.of()).withNodeName("n7").build();
        NodeFacts dedicated = node("n7", labels(), taint("dedicated", "db", "NoSchedule"));
        NodeFacts evicting = node("n7", labels(), taint("dedicated", "db", "NoExecute"));

        CachePlan plan = CachePlan.of(List.of(deployment("a", "p", pinned)), List.of(dedicated, node("n8")), POLICY);
        assertThat(plan.imagesFor("n7")).containsExactly("acme/pinned:1");
        assertThat(plan.imagesFor("n8")).isEmpty();
        assertThat(plan.groups().get(0).tolerations()).contains(toleration(null, "Exists", null, "NoSchedule"));
        // a cordoned node does not stop a bound pod either
        assertThat(CachePlan.of(List.of(deployment("a", "p", pinned)), List.of(dedicated.cordoned()), POLICY).imagesFor("n7"))
                .containsExactly("acme/pinned:1");
        assertThat(CachePlan.of(List.of(deployment("a", "p", pinned)), List.of(evicting), POLICY).imagesFor("n7")).isEmpty();
    }

    // --- case 5: cordoned ---

    @Test
    void aCordonedNodeGetsNothingUnlessTheWorkloadToleratesUnschedulable() {
        PodSpec web = spec("nginx:1", Map.of()).build();
        PodSpec agent = spec("fluent/fluent-bit:3", Map.of())
                .addToTolerations(toleration("node.kubernetes.io/unschedulable", "Exists", null, "NoSchedule")).build();
        NodeFacts draining = node("n1", labels(), taint("node.kubernetes.io/unschedulable", null, "NoSchedule")).cordoned();

        CachePlan plan = CachePlan.of(List.of(deployment("a", "web", web), deployment("a", "agent", agent)),
                List.of(draining, node("n2")), POLICY);

        assertThat(plan.imagesFor("n1")).containsExactly("fluent/fluent-bit:3");
        assertThat(plan.imagesFor("n2")).containsExactly("fluent/fluent-bit:3", "nginx:1");
        CacheGroup webGroup = plan.groups().stream().filter(g -> g.images().contains("nginx:1")).findFirst().orElseThrow();
        assertThat(webGroup.placement().refusal(draining, POLICY)).isEqualTo("cordoned");
    }

    // --- case 6: ranking by likely pods ---

    @Test
    void busyWorkloadsOutrankIdleOnesAndSuspendedCronJobsComeLast() {
        var busy = WorkloadTemplate.of(new DeploymentBuilder().withNewMetadata().withNamespace("a").withName("busy").endMetadata()
                .withNewSpec().withReplicas(5).withNewTemplate().withSpec(spec("acme/busy:1", Map.of()).build()).endTemplate()
                .endSpec().build(), List.of()).orElseThrow();
        List<WorkloadTemplate> workloads = new java.util.ArrayList<>(List.of(busy));
        // three namespaces whose groups hold only idle workloads (replicas: 0) and suspended CronJobs
        for (String ns : List.of("b", "c", "d")) {
            for (int i = 0; i < 3; i++) {
                workloads.add(WorkloadTemplate.of(new DeploymentBuilder().withNewMetadata().withNamespace(ns).withName("idle" + i)
                        .endMetadata().withNewSpec().withReplicas(0).withNewTemplate()
                        .withSpec(spec("acme/" + ns + "-idle" + i + ":1", Map.of()).withImagePullSecrets(
                                new io.fabric8.kubernetes.api.model.LocalObjectReference("s")).build())
                        .endTemplate().endSpec().build(), List.of()).orElseThrow());
            }
            workloads.add(WorkloadTemplate.of(new CronJobBuilder().withNewMetadata().withNamespace(ns).withName("nightly").endMetadata()
                    .withNewSpec().withSuspend(true).withSchedule("0 0 * * *").withNewJobTemplate().withNewSpec().withNewTemplate()
                    .withSpec(spec("acme/" + ns + "-cron:1", Map.of()).withImagePullSecrets(
                            new io.fabric8.kubernetes.api.model.LocalObjectReference("s")).build())
                    .endTemplate().endSpec().endJobTemplate().endSpec().build(), List.of()).orElseThrow());
        }
        // one group autoscaled from zero
        workloads.add(WorkloadTemplate.of(new DeploymentBuilder().withNewMetadata().withNamespace("e").withName("keda").endMetadata()
                .withNewSpec().withReplicas(0).withNewTemplate().withSpec(spec("acme/e:1", Map.of()).withImagePullSecrets(
                        new io.fabric8.kubernetes.api.model.LocalObjectReference("s")).build()).endTemplate().endSpec().build(),
                List.of(), true).orElseThrow());

        CachePlan plan = CachePlan.of(workloads, List.of(node("n1")), CachePolicy.defaults());

        assertThat(plan.imagesFor("n1")).contains("acme/busy:1", "acme/e:1");
        List<String> ids = plan.groupsByNode().get("n1");
        CacheGroup first = plan.groupsById().get(ids.get(0));
        CacheGroup second = plan.groupsById().get(ids.get(1));
        assertThat(first.images()).containsExactly("acme/busy:1");
        assertThat(first.demand().runningReplicas()).isEqualTo(5);
        assertThat(second.images()).containsExactly("acme/e:1");
        assertThat(second.demand().scalesFromZero()).isEqualTo(1);
        assertThat(plan.overCapImagesFor("n1")).hasSize(2 * 4).allMatch(i -> !i.contains("busy"));
        assertThat(WorkloadDemand.of(new CronJobBuilder().withNewSpec().withSuspend(true).endSpec().build(), false).tier())
                .isEqualTo(WorkloadDemand.Tier.SUSPENDED);
    }

    // --- case 8: transient taints by key ---

    @Test
    void cachePodsTolerateEveryTransientKeyWhateverItsValueSoPlanAndPodsAgree() {
        NodeFacts warming = node("w1", labels(), taint("headstart.dev/warmup", "pending", "NoSchedule"),
                taint("karpenter.sh/disrupted", "x", "NoSchedule"), taint("node.kubernetes.io/not-ready", null, "NoExecute"));
        CachePlan plan = CachePlan.of(List.of(deployment("a", "web", spec("nginx:1", Map.of()).build())), List.of(warming), POLICY);

        assertThat(plan.imagesFor("w1")).containsExactly("nginx:1");
        var tolerations = plan.groups().get(0).tolerations();
        for (var taint : warming.taints()) {
            assertThat(TaintToleration.tolerated(tolerations, taint)).as(taint.getKey()).isTrue();
        }
        assertThat(TaintToleration.tolerated(tolerations, taint("dedicated", "db", "NoSchedule"))).isFalse();
    }
}
