package dev.headstart.imagecache;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static dev.headstart.imagecache.PlanFixtures.labels;
import static dev.headstart.imagecache.PlanFixtures.node;
import static dev.headstart.imagecache.PlanFixtures.pod;
import static dev.headstart.imagecache.PlanFixtures.requirement;
import static dev.headstart.imagecache.PlanFixtures.taint;
import static dev.headstart.imagecache.PlanFixtures.term;
import static dev.headstart.imagecache.PlanFixtures.toleration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PlacementTest {

    static final CachePolicy POLICY = CachePolicy.defaults();

    static Placement placement(PlanFixtures.Template template) {
        return Placement.of(template.spec(), Set.of(), POLICY).orElseThrow();
    }

    static Stream<Arguments> taints() {
        Toleration gpu = toleration("nvidia.com/gpu", "Exists", null, "NoSchedule");
        return Stream.of(
                Arguments.of("untolerated NoSchedule", List.of(), taint("nvidia.com/gpu", "present", "NoSchedule"), false),
                Arguments.of("tolerated NoSchedule", List.of(gpu), taint("nvidia.com/gpu", "present", "NoSchedule"), true),
                Arguments.of("untolerated NoExecute", List.of(gpu), taint("spot", "true", "NoExecute"), false),
                Arguments.of("NoExecute tolerated for a while still admits", List.of(new TolerationBuilder().withKey("spot")
                        .withOperator("Exists").withEffect("NoExecute").withTolerationSeconds(30L).build()),
                        taint("spot", "true", "NoExecute"), true),
                Arguments.of("PreferNoSchedule is ignored", List.of(), taint("soft", "x", "PreferNoSchedule"), true),
                Arguments.of("empty key Exists tolerates every taint", List.of(toleration(null, "Exists", null, null)),
                        taint("anything", "x", "NoExecute"), true),
                Arguments.of("transient: node.kubernetes.io/not-ready", List.of(), taint("node.kubernetes.io/not-ready", null, "NoSchedule"), true),
                Arguments.of("transient: node.kubernetes.io/unreachable", List.of(), taint("node.kubernetes.io/unreachable", null, "NoExecute"), true),
                Arguments.of("transient: node.kubernetes.io/unschedulable", List.of(), taint("node.kubernetes.io/unschedulable", null, "NoSchedule"), true),
                Arguments.of("transient: cloud provider uninitialized", List.of(),
                        taint("node.cloudprovider.kubernetes.io/uninitialized", "true", "NoSchedule"), true),
                Arguments.of("transient: cluster autoscaler scale-down", List.of(), taint("ToBeDeletedByClusterAutoscaler", "1700000000", "NoSchedule"), true),
                Arguments.of("transient: karpenter disrupted", List.of(), taint("karpenter.sh/disrupted", null, "NoSchedule"), true),
                Arguments.of("transient: karpenter unregistered", List.of(), taint("karpenter.sh/unregistered", null, "NoExecute"), true),
                Arguments.of("transient: the warm-up taint", List.of(), taint("headstart.dev/warmup", "true", "NoSchedule"), true),
                Arguments.of("not transient: cloud provider shutdown", List.of(),
                        taint("node.cloudprovider.kubernetes.io/shutdown", null, "NoSchedule"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("taints")
    void taintsCountUnlessToleratedTransientOrPreferNoSchedule(String description, List<Toleration> tolerations, Taint taint,
                                                                boolean admitted) {
        Placement placement = placement(pod("app:1").tolerates(tolerations.toArray(Toleration[]::new)));
        assertEquals(admitted, placement.admits(node("n1", taint), POLICY), description);
    }

    @Test
    void transientTaintsAreThePolicysChoice() {
        CachePolicy strict = new CachePolicy("headstart-system", 3, List.of(), List.of(), List.of(), List.of(), Map.of());
        Placement placement = placement(pod("app:1"));
        NodeFacts notReady = node("n1", taint("node.kubernetes.io/not-ready", null, "NoSchedule"));
        assertThat(placement.admits(notReady, POLICY)).isTrue();
        assertThat(placement.admits(notReady, strict)).isFalse();
    }

    @Test
    void onlyLinuxNodesAndTheirLabelsCount() {
        Placement any = placement(pod("app:1"));
        Placement spot = placement(pod("app:1").selector("karpenter.sh/capacity-type", "spot"));
        assertThat(any.admits(node("win", labels("kubernetes.io/os", "windows")), POLICY)).as("windows").isFalse();
        assertThat(any.admits(new NodeFacts("bare", Map.of(), List.of()), POLICY)).as("no os label").isFalse();
        assertThat(any.admits(node("n"), POLICY)).isTrue();
        assertThat(spot.admits(node("od", labels("karpenter.sh/capacity-type", "on-demand")), POLICY)).isFalse();
        assertThat(spot.admits(node("sp", labels("karpenter.sh/capacity-type", "spot")), POLICY)).isTrue();
        assertThat(spot.admits(node("none"), POLICY)).isFalse();
    }

    @Test
    void knownArchitecturesRestrictTheNodes() {
        Placement arm = Placement.of(pod("app:1").spec(), Set.of("arm64"), POLICY).orElseThrow();
        assertThat(arm.admits(node("graviton", labels("kubernetes.io/arch", "arm64")), POLICY)).isTrue();
        assertThat(arm.admits(node("intel"), POLICY)).isFalse();
        assertThat(arm.describe()).isEqualTo("arch arm64");
    }

    @Test
    void templatesThatNoLinuxNodeCanTakeHaveNoPlacement() {
        assertThat(Placement.of(pod("app:1").affinity().spec(), Set.of(), POLICY)).as("no terms").isEmpty();
        assertThat(Placement.of(pod("app:1").affinity(new NodeSelectorTerm()).spec(), Set.of(), POLICY)).as("empty term").isEmpty();
        assertThat(Placement.of(pod("app:1").selector("kubernetes.io/os", "windows").spec(), Set.of(), POLICY)).isEmpty();
        assertThat(Placement.of(pod("app:1").selector("kubernetes.io/os", "linux").spec(), Set.of(), POLICY)).isPresent();
    }

    @Test
    void theSameConstraintsSpelledOtherwiseAreTheSamePlacement() {
        Placement a = placement(pod("a:1")
                .selector("pool", "gpu").selector("zone", "a")
                .affinity(term(requirement("type", "In", "g5", "p4"), requirement("gpu", "Exists")),
                        term(requirement("spot", "DoesNotExist")))
                .tolerates(toleration("nvidia.com/gpu", "Exists", null, "NoSchedule"),
                        toleration("dedicated", null, "ml", null),
                        toleration("soft", "Exists", null, "PreferNoSchedule")));
        Placement b = placement(pod("b:1")
                .selector("zone", "a").selector("pool", "gpu")
                .affinity(term(requirement("spot", "DoesNotExist")),
                        term(requirement("gpu", "Exists"), requirement("type", "In", "p4", "g5", "p4")))
                .tolerates(toleration("dedicated", "Equal", "ml", ""),
                        new TolerationBuilder().withKey("nvidia.com/gpu").withOperator("Exists").withEffect("NoSchedule")
                                .withTolerationSeconds(60L).build()));
        assertThat(b).isEqualTo(a);
        assertThat(b.id()).isEqualTo(a.id()).matches("[0-9a-f]{10}");

        Placement other = placement(pod("a:1").selector("pool", "gpu").selector("zone", "a")
                .affinity(term(requirement("type", "In", "g5", "p4"), requirement("gpu", "Exists")),
                        term(requirement("spot", "DoesNotExist")))
                .tolerates(toleration("nvidia.com/gpu", "Exists", null, "NoSchedule")));
        assertThat(other.id()).isNotEqualTo(a.id());
    }

    @Test
    void aTolerationOfEverythingStandsAlone() {
        Placement all = placement(pod("a:1").tolerates(toleration("x", "Exists", null, "NoSchedule"), toleration(null, "Exists", null, null)));
        assertThat(all.tolerations()).hasSize(1);
        assertThat(all.id()).isEqualTo(placement(pod("a:1").tolerates(toleration("", "Exists", null, ""))).id());
        assertThat(all.describe()).isEqualTo("tolerates every taint");
    }

    @Test
    void podAffinityKeepsTheTermsAddsTheArchitectureAndOneNotInPerExcludedNode() {
        Placement placement = Placement.of(pod("a:1").affinity(term(requirement("pool", "In", "gpu")),
                term(requirement("pool", "In", "ml"))).spec(), Set.of("amd64", "arm64"), POLICY).orElseThrow();
        Affinity affinity = placement.podAffinity(List.of("n1", "n2"));
        List<NodeSelectorTerm> terms = affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms();
        assertThat(terms).hasSize(2);
        for (NodeSelectorTerm term : terms) {
            assertThat(term.getMatchExpressions()).contains(requirement("kubernetes.io/arch", "In", "amd64", "arm64"));
            assertThat(term.getMatchFields()).containsExactly(requirement("metadata.name", "NotIn", "n1"),
                    requirement("metadata.name", "NotIn", "n2"));
        }
        // the excluded nodes are off, the others on, as the DaemonSet controller will see it
        NodeFacts n1 = node("n1", labels("pool", "gpu"));
        NodeFacts n3 = node("n3", labels("pool", "ml"));
        assertThat(NodeSelectorMatch.matches(terms, n1)).isFalse();
        assertThat(NodeSelectorMatch.matches(terms, n3)).isTrue();
    }

    @Test
    void podAffinityIsNullWithoutConstraintsAndOneFieldTermForExclusionsAlone() {
        Placement any = placement(pod("a:1"));
        assertThat(any.podAffinity(List.of())).isNull();
        List<NodeSelectorTerm> terms = any.podAffinity(List.of("n9")).getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
        assertThat(terms).hasSize(1);
        assertThat(terms.get(0).getMatchExpressions()).isEmpty();
        assertThat(terms.get(0).getMatchFields()).containsExactly(requirement("metadata.name", "NotIn", "n9"));
    }

    @Test
    void podGetsLinuxAndTheCacheTolerations() {
        Placement placement = placement(pod("a:1").selector("pool", "gpu")
                .tolerates(new TolerationBuilder().withKey("spot").withOperator("Exists").withEffect("NoExecute")
                        .withTolerationSeconds(30L).build()));
        assertThat(placement.podNodeSelector()).containsExactly(Map.entry("kubernetes.io/os", "linux"), Map.entry("pool", "gpu"));
        assertThat(placement.podTolerations()).containsExactly(
                toleration("headstart.dev/warmup", "Equal", "true", "NoSchedule"),
                toleration("spot", "Exists", null, "NoExecute"));
    }

    @Test
    void aNodeNameInTheTemplatePinsThePlacement() {
        var spec = pod("a:1").spec();
        spec.setNodeName("n7");
        Placement pinned = Placement.of(spec, Set.of(), POLICY).orElseThrow();
        assertThat(pinned.admits(node("n7"), POLICY)).isTrue();
        assertThat(pinned.admits(node("n8"), POLICY)).isFalse();
    }

    @Test
    void describesTheConstraintsInWords() {
        Placement placement = placement(pod("a:1").selector("pool", "gpu")
                .affinity(term(requirement("type", "In", "g5", "p4"), requirement("spot", "DoesNotExist")),
                        term(requirement("cores", "Gt", "8")))
                .tolerates(toleration("nvidia.com/gpu", "Exists", null, "NoSchedule"), toleration("team", "Equal", "ml", null)));
        assertThat(placement.describe()).isEqualTo("nodeSelector pool=gpu; "
                + "affinity (cores > 8) or (spot not set and type in [g5, p4]); "
                + "tolerates nvidia.com/gpu:NoSchedule, team=ml");
        assertThat(placement(pod("a:1")).describe()).isEqualTo("any Linux node");
    }
}
