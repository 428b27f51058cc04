package dev.headstart.controller.imagecache;

import dev.headstart.imagecache.CacheGroup;
import dev.headstart.imagecache.CacheMembership;
import dev.headstart.imagecache.CachePlan;
import dev.headstart.imagecache.NodeFacts;
import dev.headstart.imagecache.WorkloadTemplate;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

import static dev.headstart.controller.imagecache.ImageCacheFixtures.SETTINGS;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.deployment;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.plan;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 20, cases 4 and 8: on the same nodes, the plan and the DaemonSets it makes agree. The
 * DaemonSet pod's placement is decided the way the scheduler decides it for a daemon pod: the
 * node selector against the node's labels (membership labels included, as the controller writes
 * them), and the taints against the pod's tolerations plus those the DaemonSet controller adds
 * ({@code pkg/controller/daemon/util/daemonset_util.go}, {@code AddOrUpdateDaemonPodTolerations}).
 */
class PlanMatchesDaemonSetPlacementTest {

    /** What the DaemonSet controller adds to every daemon pod (no host network). */
    static final List<Toleration> DAEMON_TOLERATIONS = List.of(
            toleration("node.kubernetes.io/not-ready", "NoExecute"), toleration("node.kubernetes.io/unreachable", "NoExecute"),
            toleration("node.kubernetes.io/disk-pressure", "NoSchedule"), toleration("node.kubernetes.io/memory-pressure", "NoSchedule"),
            toleration("node.kubernetes.io/pid-pressure", "NoSchedule"), toleration("node.kubernetes.io/unschedulable", "NoSchedule"));

    record RawNode(String name, Map<String, String> labels, List<Taint> taints, boolean cordoned) {
        NodeFacts facts() {
            return new NodeFacts(name, labels, taints, null, cordoned);
        }
    }

    @Test
    void everyNodeTheDaemonSetsWouldRunOnIsOneThePlanListsAndTheOtherWayRound() {
        List<RawNode> nodes = List.of(
                raw("plain", Map.of(), false),
                raw("warming", Map.of(), false, taint("headstart.dev/warmup", "pending", "NoSchedule")),
                raw("warming-true", Map.of(), false, taint("headstart.dev/warmup", "true", "NoSchedule")),
                raw("disrupted", Map.of(), false, taint("karpenter.sh/disrupted", "", "NoSchedule")),
                raw("not-ready", Map.of(), false, taint("node.kubernetes.io/not-ready", null, "NoExecute")),
                raw("uninitialized", Map.of(), false, taint("node.cloudprovider.kubernetes.io/uninitialized", "true", "NoSchedule")),
                raw("cordoned", Map.of(), true, taint("node.kubernetes.io/unschedulable", null, "NoSchedule")),
                raw("db", Map.of("pool", "db"), false, taint("dedicated", "db", "NoSchedule")),
                raw("db-evicting", Map.of("pool", "db"), false, taint("dedicated", "db", "NoExecute")),
                raw("gpu", Map.of("pool", "gpu"), false, taint("nvidia.com/gpu", "present", "NoSchedule")));
        List<WorkloadTemplate> workloads = List.of(
                deployment("shop", "web", spec(List.of("nginx:1"), List.of(), List.of(), List.of())),
                deployment("ml", "train", new PodSpecBuilder(spec(List.of("cuda:12"), List.of(), List.of(), List.of(
                        new TolerationBuilder().withKey("nvidia.com/gpu").withOperator("Exists").withEffect("NoSchedule").build())))
                        .withNodeSelector(Map.of("pool", "gpu")).build()),
                // pinned to the db node, whose NoSchedule taint a bound pod ignores
                deployment("db", "pinned", new PodSpecBuilder(spec(List.of("postgres:16"), List.of(), List.of(), List.of()))
                        .withNodeName("db").build()),
                deployment("db", "pinned-evicting", new PodSpecBuilder(spec(List.of("redis:7"), List.of(), List.of(), List.of()))
                        .withNodeName("db-evicting").build()));

        CachePlan plan = plan(SETTINGS.withMaxPodsPerNode(5), workloads, nodes.stream().map(RawNode::facts).toList());

        // the controller's labels on each node, then each DaemonSet placed as the scheduler would
        Map<String, TreeSet<String>> byDaemonSets = new TreeMap<>();
        for (RawNode node : nodes) {
            Map<String, String> labels = new LinkedHashMap<>(node.labels());
            plan.groupsByNode().getOrDefault(node.name(), List.of()).forEach(id -> labels.put(CacheMembership.label(id), "true"));
            TreeSet<String> ids = new TreeSet<>();
            for (CacheGroup group : plan.groups()) {
                if (schedules(ImageCacheDaemonSet.build(group, SETTINGS), node.name(), labels, node.taints())) {
                    ids.add(group.id());
                }
            }
            byDaemonSets.put(node.name(), ids);
        }
        Map<String, TreeSet<String>> byPlan = new TreeMap<>();
        plan.groupsByNode().forEach((node, ids) -> byPlan.put(node, new TreeSet<>(ids)));

        assertThat(byDaemonSets).isEqualTo(byPlan);
        // and the plan says what it should: transient taints whatever their value, the pinned pod on its node
        assertThat(plan.imagesFor("warming")).isEqualTo(plan.imagesFor("plain")).containsExactly("nginx:1");
        assertThat(plan.imagesFor("warming-true")).containsExactly("nginx:1");
        assertThat(plan.imagesFor("disrupted")).containsExactly("nginx:1");
        assertThat(plan.imagesFor("not-ready")).containsExactly("nginx:1");
        assertThat(plan.imagesFor("uninitialized")).containsExactly("nginx:1");
        assertThat(plan.imagesFor("cordoned")).isEmpty();
        assertThat(plan.imagesFor("db")).containsExactly("postgres:16");
        assertThat(plan.imagesFor("db-evicting")).isEmpty();
        assertThat(plan.imagesFor("gpu")).containsExactly("cuda:12");
    }

    /**
     * The scheduler's NodeAffinity (the selector, and the one term a pinned template has: its
     * node's name) and TaintToleration filters.
     */
    static boolean schedules(DaemonSet ds, String node, Map<String, String> labels, List<Taint> taints) {
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        if (!pod.getNodeSelector().entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
            return false;
        }
        if (pod.getAffinity() != null) {
            var terms = pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
            assertThat(terms).singleElement().satisfies(t -> assertThat(t.getMatchExpressions()).isEmpty());
            var field = terms.get(0).getMatchFields().get(0);
            assertThat(field.getOperator()).isEqualTo("In");
            if (!field.getValues().contains(node)) {
                return false;
            }
        }
        List<Toleration> tolerations = new ArrayList<>(pod.getTolerations());
        tolerations.addAll(DAEMON_TOLERATIONS);
        return taints.stream().filter(t -> t.getEffect().equals("NoSchedule") || t.getEffect().equals("NoExecute"))
                .allMatch(t -> tolerations.stream().anyMatch(tol -> tolerates(tol, t)));
    }

    static boolean tolerates(Toleration tol, Taint taint) {
        if (tol.getEffect() != null && !tol.getEffect().isEmpty() && !tol.getEffect().equals(taint.getEffect())) {
            return false;
        }
        if (tol.getKey() != null && !tol.getKey().isEmpty() && !tol.getKey().equals(taint.getKey())) {
            return false;
        }
        return "Exists".equals(tol.getOperator())
                || Objects.toString(tol.getValue(), "").equals(Objects.toString(taint.getValue(), ""));
    }

    static RawNode raw(String name, Map<String, String> labels, boolean cordoned, Taint... taints) {
        Map<String, String> all = new LinkedHashMap<>(Map.of("kubernetes.io/os", "linux", "kubernetes.io/arch", "amd64"));
        all.putAll(labels);
        return new RawNode(name, all, List.of(taints), cordoned);
    }

    static Taint taint(String key, String value, String effect) {
        return new TaintBuilder().withKey(key).withValue(value).withEffect(effect).build();
    }

    static Toleration toleration(String key, String effect) {
        return new TolerationBuilder().withKey(key).withOperator("Exists").withEffect(effect).build();
    }
}
