package dev.headstart.imagecache;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static dev.headstart.imagecache.PlanFixtures.labels;
import static dev.headstart.imagecache.PlanFixtures.node;
import static dev.headstart.imagecache.PlanFixtures.pod;
import static dev.headstart.imagecache.PlanFixtures.requirement;
import static dev.headstart.imagecache.PlanFixtures.taint;
import static dev.headstart.imagecache.PlanFixtures.term;
import static dev.headstart.imagecache.PlanFixtures.toleration;
import static dev.headstart.imagecache.PlanFixtures.workload;
import static org.assertj.core.api.Assertions.assertThat;

class CachePlanTest {

    static final CachePolicy POLICY = CachePolicy.defaults();

    static CacheGroup only(CachePlan plan, boolean shared) {
        List<CacheGroup> groups = plan.groups().stream().filter(g -> g.shared() == shared).toList();
        assertThat(groups).hasSize(1);
        return groups.get(0);
    }

    // --- pull access ---

    @Test
    void imagesNeedingTheNamespacesSecretsGetAGroupThereThePublicOnesAShared() {
        CachePlan plan = CachePlan.of(List.of(
                workload("shop", "web", pod("nginx:1.27")),
                workload("shop", "api", pod("ghcr.io/acme/api:2.1").secrets("ghcr"))), List.of(node("n1")), POLICY);

        CacheGroup shared = only(plan, true);
        assertThat(shared.namespace()).isEqualTo("headstart-system");
        assertThat(shared.images()).containsExactly("nginx:1.27");
        assertThat(shared.pullSecrets()).isEmpty();
        CacheGroup shop = only(plan, false);
        assertThat(shop.namespace()).isEqualTo("shop");
        assertThat(shop.images()).containsExactly("ghcr.io/acme/api:2.1");
        assertThat(shop.pullSecrets()).containsExactly("ghcr");
        assertThat(shop.workloads()).containsExactly("shop/Deployment/api");
        assertThat(plan.groupsByNode()).containsEntry("n1", List.of(shared.id(), shop.id()));
    }

    @Test
    void theServiceAccountsSecretsCountWhenThePodNamesNone() {
        CachePlan viaServiceAccount = CachePlan.of(List.of(
                workload("shop", "api", pod("ghcr.io/acme/api:2.1").serviceAccountSecrets("sa-ghcr"))), List.of(), POLICY);
        assertThat(only(viaServiceAccount, false).pullSecrets()).containsExactly("sa-ghcr");

        // the ServiceAccount plugin copies its secrets only into pods that name none
        CachePlan own = CachePlan.of(List.of(
                workload("shop", "api", pod("ghcr.io/acme/api:2.1").secrets("own").serviceAccountSecrets("sa-ghcr"))), List.of(), POLICY);
        assertThat(only(own, false).pullSecrets()).containsExactly("own");
    }

    @Test
    void registriesTheNodesPullFromWithTheirOwnCredentialsAreShared() {
        CachePlan plan = CachePlan.of(List.of(workload("shop", "api", pod(
                "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:2.1",
                "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/api:2.1",
                "public.ecr.aws/acme/tool:1",
                "registry.k8s.io/kube-proxy:v1.31.0",
                "docker.io/acme/private:1").secrets("regcred"))), List.of(), POLICY);

        assertThat(only(plan, true).images()).containsExactly(
                "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/api:2.1",
                "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:2.1",
                "public.ecr.aws/acme/tool:1",
                "registry.k8s.io/kube-proxy:v1.31.0");
        assertThat(only(plan, false).images()).containsExactly("docker.io/acme/private:1");
    }

    /** Case 7: shared (no secret) it could be pulled by no node; each namespace pulls it with its own secrets. */
    @Test
    void anImageUsedWithAndWithoutSecretsIsNotSharedButCachedWithTheSecretThatPullsIt() {
        CachePlan plan = CachePlan.of(List.of(
                workload("a", "with", pod("quay.io/acme/base:3").secrets("quay")),
                workload("b", "without", pod("quay.io/acme/base:3"))), List.of(node("n1")), POLICY);

        // on the node both can run on, the group with the secret holds it (the one without cannot stand in
        // for it; it stands aside, the image being there for b's pods too)
        assertThat(plan.groups()).noneMatch(CacheGroup::shared);
        assertThat(plan.groups()).extracting(CacheGroup::namespace, CacheGroup::pullSecrets, CacheGroup::images)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", List.of("quay"), List.of("quay.io/acme/base:3")));
        assertThat(plan.groupsByNode().get("n1")).containsExactly(plan.groups().get(0).id());
        // every use without a secret: shared, as before
        CachePlan public_ = CachePlan.of(List.of(workload("a", "x", pod("quay.io/acme/base:3")),
                workload("b", "y", pod("quay.io/acme/base:3"))), List.of(node("n1")), POLICY);
        assertThat(only(public_, true).workloads()).containsExactly("a/Deployment/x", "b/Deployment/y");
        // a node-credential registry (ECR): shared even with a secret
        String ecr = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/base:3";
        CachePlan ecrPlan = CachePlan.of(List.of(workload("a", "x", pod(ecr).secrets("s")), workload("b", "y", pod(ecr))),
                List.of(node("n1")), POLICY);
        assertThat(only(ecrPlan, true).pullSecrets()).isEmpty();
    }

    @Test
    void namespaceGroupsPullWithTheUnionOfTheirWorkloadsSecretsAndStayInTheirNamespace() {
        CachePlan plan = CachePlan.of(List.of(
                workload("a", "one", pod("ghcr.io/a/one:1").secrets("s1")),
                workload("a", "two", pod("ghcr.io/a/two:1").secrets("s2", "s1")),
                workload("b", "three", pod("ghcr.io/b/three:1").secrets("s1"))), List.of(), POLICY);

        assertThat(plan.groups()).extracting(CacheGroup::namespace).containsExactlyInAnyOrder("a", "b");
        CacheGroup a = plan.groups().stream().filter(g -> g.namespace().equals("a")).findFirst().orElseThrow();
        assertThat(a.pullSecrets()).containsExactly("s1", "s2");
        assertThat(a.images()).containsExactly("ghcr.io/a/one:1", "ghcr.io/a/two:1");
    }

    @Test
    void excludedImagesAndInitContainers() {
        CachePolicy policy = new CachePolicy("headstart-system", 3, List.of("debug:*", "huge/model:1"), List.of(),
                List.of(), List.of(), Map.of());
        CachePlan plan = CachePlan.of(List.of(workload("a", "w", pod("app:1", "debug:latest", "huge/model:1").init("migrate:1"))),
                List.of(), policy);
        assertThat(only(plan, true).images()).containsExactly("app:1", "migrate:1");
    }

    // --- platforms ---

    @Test
    void imagesWithKnownPlatformsGetTheirOwnGroupWithTheArchitecture() {
        CachePolicy policy = POLICY.withImageArchitectures(Map.of(
                "nvcr.io/nvidia/cuda:12.4", Set.of("amd64"),
                "ghcr.io/acme/*", Set.of("arm64", "amd64")));
        CachePlan plan = CachePlan.of(List.of(workload("ml", "w", pod("nvcr.io/nvidia/cuda:12.4", "ghcr.io/acme/tool:1", "busybox:1"))),
                List.of(node("intel"), node("graviton", labels("kubernetes.io/arch", "arm64")),
                        node("win", labels("kubernetes.io/os", "windows"))), policy);

        assertThat(plan.groups()).hasSize(3);
        assertThat(plan.imagesFor("intel")).containsExactly("busybox:1", "ghcr.io/acme/tool:1", "nvcr.io/nvidia/cuda:12.4");
        assertThat(plan.imagesFor("graviton")).containsExactly("busybox:1", "ghcr.io/acme/tool:1");
        assertThat(plan.imagesFor("win")).isEmpty();
        assertThat(plan.groupsByNode().get("win")).isEmpty();
        CacheGroup cuda = plan.groups().stream().filter(g -> g.images().contains("nvcr.io/nvidia/cuda:12.4")).findFirst().orElseThrow();
        assertThat(cuda.images()).containsExactly("nvcr.io/nvidia/cuda:12.4");
        assertThat(cuda.affinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms())
                .singleElement().satisfies(t -> assertThat(t.getMatchExpressions())
                        .containsExactly(requirement("kubernetes.io/arch", "In", "amd64")));
        assertThat(cuda.nodeSelector()).containsEntry("kubernetes.io/os", "linux");
    }

    // --- the cap ---

    @Test
    void overTheCapGroupsRankByRunningPodsThenSharedThenIdAndLeaveTheNode() {
        List<WorkloadTemplate> workloads = new ArrayList<>();
        // one shared group with one workload
        workloads.add(workload("a", "public", pod("nginx:1")));
        // four namespace groups: b has 3 workloads, c 2, d and e 1 each
        for (String name : List.of("x", "y", "z")) {
            workloads.add(workload("b", name, pod("ghcr.io/b/" + name + ":1").secrets("s")));
        }
        for (String name : List.of("x", "y")) {
            workloads.add(workload("c", name, pod("ghcr.io/c/" + name + ":1").secrets("s")));
        }
        workloads.add(workload("d", "x", pod("ghcr.io/d/x:1").secrets("s")));
        workloads.add(workload("e", "x", pod("ghcr.io/e/x:1").secrets("s")));
        // a node only the shared group and b's would reach has room for them
        workloads.add(workload("b", "gpu", pod("ghcr.io/b/gpu:1").secrets("s").selector("pool", "gpu")));
        CachePolicy policy = POLICY.withMaxPodsPerNode(3);

        CachePlan plan = CachePlan.of(workloads, List.of(node("n1"), node("n2"), node("g1", labels("pool", "gpu"))), policy);

        CacheGroup shared = only(plan, true);
        CacheGroup b = namespaceGroup(plan, "b", false);
        CacheGroup c = namespaceGroup(plan, "c", false);
        CacheGroup d = namespaceGroup(plan, "d", false);
        CacheGroup e = namespaceGroup(plan, "e", false);
        CacheGroup bGpu = namespaceGroup(plan, "b", true);
        String[] lastTwo = d.id().compareTo(e.id()) < 0 ? new String[]{d.id(), e.id()} : new String[]{e.id(), d.id()};
        // one running pod per workload: b (3 pods), c (2), then the shared group before d and e (1 each)
        assertThat(plan.groupsByNode().get("n1")).containsExactly(b.id(), c.id(), shared.id());
        assertThat(plan.overCapByNode().get("n1")).containsExactly(lastTwo);
        assertThat(d.excludedNodes()).containsExactly("g1", "n1", "n2");
        assertThat(e.excludedNodes()).containsExactly("g1", "n1", "n2");
        assertThat(b.excludedNodes()).isEmpty();
        // g1 admits all six: bGpu, d and e (1 workload each) lose against b and c
        assertThat(plan.groupsByNode().get("g1")).containsExactly(b.id(), c.id(), shared.id());
        assertThat(bGpu.excludedNodes()).containsExactly("g1");
        assertThat(plan.overCapImagesFor("n1")).containsExactly("ghcr.io/d/x:1", "ghcr.io/e/x:1");
        assertThat(plan.imagesFor("n1")).contains("nginx:1", "ghcr.io/b/x:1", "ghcr.io/c/y:1").doesNotContain("ghcr.io/d/x:1");
        // the DaemonSet names no node: it selects its membership label, which no node gets for d
        assertThat(d.affinity()).isNull();
        assertThat(d.nodeSelector()).containsEntry(CacheMembership.label(d.id()), "true");
        assertThat(plan.groupsByNode().values()).noneMatch(ids -> ids.contains(d.id()));
        assertThat(plan.groups()).allSatisfy(g -> assertThat(g.excludedNodes().size() + admitted(plan, g))
                .isEqualTo(admittedIgnoringCap(g, plan, policy)));
    }

    private static CacheGroup namespaceGroup(CachePlan plan, String namespace, boolean gpu) {
        return plan.groups().stream().filter(g -> !g.shared() && g.namespace().equals(namespace)
                && g.placement().nodeSelector().containsKey("pool") == gpu).findFirst().orElseThrow();
    }

    private static long admitted(CachePlan plan, CacheGroup group) {
        return plan.groupsByNode().values().stream().filter(ids -> ids.contains(group.id())).count();
    }

    private static long admittedIgnoringCap(CacheGroup group, CachePlan plan, CachePolicy policy) {
        return plan.groupsByNode().keySet().stream().filter(n -> group.placement().admits(
                n.equals("g1") ? node("g1", labels("pool", "gpu")) : node(n), policy)).count();
    }

    @Test
    void withinTheCapNothingIsExcluded() {
        CachePlan plan = CachePlan.of(List.of(workload("a", "w", pod("nginx:1")), workload("b", "w", pod("ghcr.io/b:1").secrets("s"))),
                List.of(node("n1")), POLICY);
        assertThat(plan.overCapByNode()).isEmpty();
        assertThat(plan.groups()).allSatisfy(g -> assertThat(g.excludedNodes()).isEmpty());
    }

    @Test
    void aGroupWhoseImagesOtherGroupsHoldThereTakesNoSlotAndIsNotOverTheCap() {
        CachePlan plan = CachePlan.of(List.of(
                workload("shop", "cart", pod("nginx:1", "redis:7")),
                workload("shop", "db", pod("redis:7")),
                workload("shop", "web", pod("nginx:1").affinity(term(requirement("capacity", "NotIn", "spot")))),
                workload("shop", "api", pod("ghcr.io/shop/api:1").secrets("s"))),
                List.of(node("od-1", labels("capacity", "on-demand")), node("spot-1", labels("capacity", "spot"))),
                POLICY.withMaxPodsPerNode(2));

        CacheGroup any = plan.groups().stream().filter(g -> g.shared() && g.workloads().size() == 2).findFirst().orElseThrow();
        CacheGroup api = only(plan, false);
        assertThat(plan.groupsByNode().get("od-1")).containsExactly(any.id(), api.id());
        assertThat(plan.overCapByNode()).isEmpty();
        // "web" could run only on od-1, where "any" holds its image: no DaemonSet at all for it
        assertThat(plan.groups()).noneMatch(g -> g.workloads().equals(List.of("shop/Deployment/web")));
        assertThat(plan.imagesFor("od-1")).containsExactly("ghcr.io/shop/api:1", "nginx:1", "redis:7");
    }

    @Test
    void aChosenGroupThatALaterOneMakesRedundantGivesItsSlotBack() {
        // "small" ranks first (2 workloads) but "big" (1 workload) holds its image and more
        CachePlan plan = CachePlan.of(List.of(
                workload("a", "s1", pod("a:1")),
                workload("a", "s2", pod("a:1")),
                workload("b", "big", pod("a:1", "b:1").selector("tier", "x")),
                workload("c", "ns", pod("ghcr.io/c:1").secrets("s"))),
                List.of(node("n1", labels("tier", "x"))), POLICY.withMaxPodsPerNode(2));

        CacheGroup big = plan.groups().stream().filter(g -> g.workloads().contains("b/Deployment/big")).findFirst().orElseThrow();
        assertThat(plan.groupsByNode().get("n1")).containsExactly(big.id(), only(plan, false).id());
        // "small" is needed on no node ("big" holds a:1 on the only node): it is planned away
        assertThat(plan.groups()).noneMatch(g -> g.workloads().size() == 2);
        assertThat(plan.overCapByNode()).isEmpty();
        assertThat(plan.imagesFor("n1")).containsExactly("a:1", "b:1", "ghcr.io/c:1");
    }

    @Test
    void aGroupNeededOnSomeNodesKeepsItsExclusionsAndOneNoNodeAdmitsStays() {
        CachePlan plan = CachePlan.of(List.of(
                workload("a", "everywhere", pod("a:1", "b:1")),
                workload("a", "some", pod("b:1", "c:1").selector("tier", "x")),
                workload("a", "gpu", pod("g:1").selector("gpu", "yes"))),
                List.of(node("n1", labels("tier", "x")), node("n2")), POLICY);

        assertThat(plan.groups()).hasSize(3);
        CacheGroup gpu = plan.groups().stream().filter(g -> g.workloads().contains("a/Deployment/gpu")).findFirst().orElseThrow();
        assertThat(gpu.excludedNodes()).as("no GPU node now: the group waits for one").isEmpty();
    }

    // --- ids ---

    @Test
    void idsAndPlansDoNotDependOnInputOrder() {
        List<WorkloadTemplate> workloads = new ArrayList<>(List.of(
                workload("a", "w1", pod("nginx:1", "redis:7")),
                workload("a", "w2", pod("ghcr.io/a/x:1").secrets("s")),
                workload("b", "gpu", pod("cuda:12").selector("pool", "gpu").tolerates(toleration("nvidia.com/gpu", "Exists", null, "NoSchedule"))),
                workload("c", "spot", pod("batch:3").affinity(term(requirement("capacity", "In", "spot"))))));
        List<NodeFacts> nodes = new ArrayList<>(List.of(node("n1"), node("n2", labels("pool", "gpu"),
                taint("nvidia.com/gpu", "present", "NoSchedule")), node("n3", labels("capacity", "spot"))));
        CachePlan plan = CachePlan.of(workloads, nodes, POLICY.withMaxPodsPerNode(1));
        Random random = new Random(7);
        for (int i = 0; i < 20; i++) {
            Collections.shuffle(workloads, random);
            Collections.shuffle(nodes, random);
            assertThat(CachePlan.of(workloads, nodes, POLICY.withMaxPodsPerNode(1))).isEqualTo(plan);
        }
    }

    @Test
    void anIdChangesOnlyWhenItsGroupsPlacementOrHomeChanges() {
        var gpu = pod("cuda:12").selector("pool", "gpu");
        String id = only(CachePlan.of(List.of(workload("b", "gpu", gpu)), List.of(), POLICY), true).id();
        // more images and workloads in the same placement: same id
        String more = CachePlan.of(List.of(workload("b", "gpu", pod("cuda:12", "tool:1").selector("pool", "gpu")),
                        workload("c", "other", pod("x:1").selector("pool", "gpu"))), List.of(), POLICY)
                .groups().get(0).id();
        assertThat(more).isEqualTo(id);
        // another placement: another id
        String otherPlacement = only(CachePlan.of(List.of(workload("b", "gpu", pod("cuda:12").selector("pool", "gpu2"))),
                List.of(), POLICY), true).id();
        assertThat(otherPlacement).isNotEqualTo(id);
        // the same placement, in a namespace group: another id, per namespace
        String inB = only(CachePlan.of(List.of(workload("b", "gpu", pod("cuda:12").selector("pool", "gpu").secrets("s"))),
                List.of(), POLICY), false).id();
        String inC = only(CachePlan.of(List.of(workload("c", "gpu", pod("cuda:12").selector("pool", "gpu").secrets("s"))),
                List.of(), POLICY), false).id();
        assertThat(inB).isNotEqualTo(id).isNotEqualTo(inC);
        // excluded nodes do not change it
        String capped = CachePlan.of(List.of(workload("a", "x", pod("x:1")), workload("b", "y", pod("ghcr.io/y:1").secrets("s"))),
                List.of(node("n1")), POLICY.withMaxPodsPerNode(1)).groups().get(1).id();
        String uncapped = CachePlan.of(List.of(workload("a", "x", pod("x:1")), workload("b", "y", pod("ghcr.io/y:1").secrets("s"))),
                List.of(node("n1")), POLICY).groups().get(1).id();
        assertThat(capped).isEqualTo(uncapped).matches("[0-9a-f]{10}");
    }

    // --- the example ---

    /**
     * A cluster with a GPU pool (tainted), a spot pool (tainted, arm64 and amd64), on-demand nodes, a
     * warm node still carrying the warm-up taint, and a Windows node. Each node gets exactly the
     * images of the workloads that can run there.
     */
    @Test
    void gpuSpotAndOnDemandNodesEachGetWhatCanRunThere() {
        var gpuTaint = taint("nvidia.com/gpu", "present", "NoSchedule");
        var spotTaint = taint("spot", "true", "NoSchedule");
        List<NodeFacts> nodes = List.of(
                node("gpu-1", labels("pool", "gpu", "capacity", "on-demand"), gpuTaint),
                node("spot-amd", labels("capacity", "spot"), spotTaint),
                node("spot-arm", labels("capacity", "spot", "kubernetes.io/arch", "arm64"), spotTaint),
                node("od-1", labels("capacity", "on-demand")),
                node("od-warm", labels("capacity", "on-demand"), taint("headstart.dev/warmup", "true", "NoSchedule"),
                        taint("node.kubernetes.io/not-ready", null, "NoSchedule")),
                node("win-1", labels("kubernetes.io/os", "windows", "capacity", "on-demand")));
        List<WorkloadTemplate> workloads = List.of(
                workload("ml", "trainer", pod("nvcr.io/nvidia/pytorch:24.05").selector("pool", "gpu")
                        .tolerates(toleration("nvidia.com/gpu", "Exists", null, "NoSchedule"))),
                workload("batch", "worker", pod("ghcr.io/acme/worker:5").secrets("ghcr")
                        .affinity(term(requirement("capacity", "In", "spot")))
                        .tolerates(toleration("spot", "Equal", "true", "NoSchedule"))),
                workload("shop", "web", pod("nginx:1.27", "ghcr.io/acme/web:9").secrets("ghcr")
                        .affinity(term(requirement("capacity", "NotIn", "spot")))),
                workload("shop", "legacy", pod("acme/legacy-amd64:1")),
                workload("ops", "agent", new PlanFixtures.Template("fluent/fluent-bit:3.0").tolerates(toleration(null, "Exists", null, null))));
        CachePolicy policy = POLICY.withImageArchitectures(Map.of("acme/legacy-amd64:1", Set.of("amd64")))
                .withMaxPodsPerNode(5);

        CachePlan plan = CachePlan.of(workloads, nodes, policy);

        assertThat(plan.imagesFor("gpu-1")).containsExactly("fluent/fluent-bit:3.0", "nvcr.io/nvidia/pytorch:24.05");
        assertThat(plan.imagesFor("spot-amd")).containsExactly("fluent/fluent-bit:3.0", "ghcr.io/acme/worker:5");
        assertThat(plan.imagesFor("spot-arm")).containsExactly("fluent/fluent-bit:3.0", "ghcr.io/acme/worker:5");
        assertThat(plan.imagesFor("od-1")).containsExactly("acme/legacy-amd64:1", "fluent/fluent-bit:3.0",
                "ghcr.io/acme/web:9", "nginx:1.27");
        assertThat(plan.imagesFor("od-warm")).isEqualTo(plan.imagesFor("od-1"));
        assertThat(plan.imagesFor("win-1")).isEmpty();
        assertThat(plan.overCapByNode()).isEmpty();
        // the namespace groups pull with their secrets, in their namespaces
        assertThat(plan.groups()).filteredOn(g -> !g.shared()).extracting(CacheGroup::namespace, CacheGroup::pullSecrets)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("batch", List.of("ghcr")),
                        org.assertj.core.groups.Tuple.tuple("shop", List.of("ghcr")));
        // cache pods tolerate every transient key whatever its value (the warm-up taint's too) and what their workloads tolerate
        CacheGroup trainer = plan.groups().stream().filter(g -> g.workloads().contains("ml/Deployment/trainer")).findFirst().orElseThrow();
        assertThat(trainer.tolerations()).contains(toleration("headstart.dev/warmup", "Exists", null, null),
                toleration("node.kubernetes.io/not-ready", "Exists", null, null),
                toleration("nvidia.com/gpu", "Exists", null, "NoSchedule"));
        assertThat(trainer.tolerations()).noneMatch(t -> "Equal".equals(t.getOperator()) && "headstart.dev/warmup".equals(t.getKey()));
        assertThat(trainer.nodeSelector()).containsEntry("pool", "gpu").containsEntry("kubernetes.io/os", "linux");
        // at most the cap per node, whatever the cap
        for (int cap = 1; cap <= 4; cap++) {
            CachePlan capped = CachePlan.of(workloads, nodes, policy.withMaxPodsPerNode(cap));
            int max = cap;
            assertThat(capped.groupsByNode().values()).allSatisfy(ids -> assertThat(ids.size()).isLessThanOrEqualTo(max));
        }
    }
}
