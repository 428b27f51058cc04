package dev.headstart.rules;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static dev.headstart.rules.RuleTesting.workload;
import static org.assertj.core.api.Assertions.assertThat;

class PriorityClassRuleTest {

    private final PriorityClassRule rule = new PriorityClassRule("headstart-high",
            PriorityClassCatalog.of("headstart-high", new PriorityClassSpec(1000000, "PreemptLowerPriority")));

    @Test
    void podGetsNameValueAndPreemptionPolicyOverThePluginsDefault() {
        Workload pod = workload("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},'spec':{'priority':0,'containers':[]}}");
        assertThat(rule.check(pod)).hasSize(1);
        assertThat(rule.mutate(pod, new Warnings())).isTrue();
        assertThat(pod.podSpec().path("priorityClassName").asText()).isEqualTo("headstart-high");
        assertThat(pod.podSpec().path("priority").asInt()).isEqualTo(1000000);
        assertThat(pod.podSpec().path("preemptionPolicy").asText()).isEqualTo("PreemptLowerPriority");
        assertThat(rule.check(pod)).isEmpty();
    }

    @Test
    void clusterValuesWinOverConfiguredOnes() {
        PriorityClassRule fromCluster = new PriorityClassRule("headstart-high",
                name -> Optional.of(new PriorityClassSpec(5000, "Never")));
        Workload pod = workload("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},'spec':{'containers':[]}}");
        fromCluster.mutate(pod, new Warnings());
        assertThat(pod.podSpec().path("priority").asInt()).isEqualTo(5000);
        assertThat(pod.podSpec().path("preemptionPolicy").asText()).isEqualTo("Never");
    }

    @Test
    void existingClassIsAnExplicitChoiceAndStays() {
        Workload pod = workload("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},"
                + "'spec':{'priorityClassName':'batch-low','priority':10,'containers':[]}}");
        assertThat(rule.check(pod)).isEmpty();
        assertThat(rule.mutate(pod, new Warnings())).isFalse();
        assertThat(pod.podSpec().path("priorityClassName").asText()).isEqualTo("batch-low");
        assertThat(pod.podSpec().path("priority").asInt()).isEqualTo(10);
    }

    @Test
    void missingClassIsNotInjectedAndWarns() {
        PriorityClassRule missing = new PriorityClassRule("headstart-high", name -> Optional.empty());
        Workload pod = workload("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},'spec':{'priority':0,'containers':[]}}");
        Warnings warnings = new Warnings();
        assertThat(missing.mutate(pod, warnings)).isFalse();
        assertThat(pod.podSpec().has("priorityClassName")).isFalse();
        assertThat(pod.podSpec().path("priority").asInt()).isZero();
        assertThat(warnings.messages()).containsExactly(
                "headstart: priority-class: PriorityClass headstart-high does not exist in the cluster; not injected");
    }

    @Test
    void podTemplateCarriesOnlyTheName() {
        Workload ds = workload("{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'name':'d'},"
                + "'spec':{'template':{'spec':{'containers':[]}}}}");
        assertThat(rule.mutate(ds, new Warnings())).isTrue();
        assertThat(ds.podSpec().path("priorityClassName").asText()).isEqualTo("headstart-high");
        assertThat(ds.podSpec().has("priority")).isFalse();
        assertThat(ds.podSpec().has("preemptionPolicy")).isFalse();
    }

    @Test
    void emptyNameCountsAsNone() {
        Workload pod = workload("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},'spec':{'priorityClassName':'','containers':[]}}");
        assertThat(rule.check(pod)).hasSize(1);
    }

    // --- defect 6: only a synced cache may say a class is missing ---

    @Test
    void unsyncedCatalogSaysSoAndNeverThatTheClassIsMissing() {
        PriorityClassCatalog unsynced = new PriorityClassCatalog() {
            @Override
            public boolean ready() {
                return false;
            }

            @Override
            public Optional<PriorityClassSpec> find(String name) {
                return Optional.empty();
            }
        };
        Workload pod = workload("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},'spec':{'containers':[]}}");
        Warnings warnings = new Warnings();
        assertThat(new PriorityClassRule("headstart-high", unsynced).mutate(pod, warnings)).isFalse();
        assertThat(warnings.messages()).containsExactly(
                "headstart: priority-class: PriorityClass cache has not synced yet; headstart-high not injected");
    }

    // --- defect 7: the cluster's global default counts as no class chosen (pods only) ---

    private static final PriorityPlugin WITH_DEFAULT = new PriorityPlugin(java.util.Map.of(
            "headstart-high", new PriorityPlugin.Class(1000000, "PreemptLowerPriority", false),
            "tenant-default", new PriorityPlugin.Class(100, "Never", true)));

    @Test
    void podWithTheGlobalDefaultFailsTheCheckAndIsGivenTheClass() {
        PriorityClassRule r = new PriorityClassRule("headstart-high", WITH_DEFAULT.catalog());
        Workload pod = workload("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},"
                + "'spec':{'priorityClassName':'tenant-default','priority':100,'preemptionPolicy':'Never','containers':[]}}");
        assertThat(r.check(pod)).singleElement().extracting(Finding::message)
                .isEqualTo("pod has the cluster's default PriorityClass tenant-default, not headstart-high");
        assertThat(r.mutate(pod, new Warnings())).isTrue();
        assertThat(pod.podSpec().path("priorityClassName").asText()).isEqualTo("headstart-high");
        assertThat(pod.podSpec().path("priority").asInt()).isEqualTo(1000000);
        assertThat(pod.podSpec().path("preemptionPolicy").asText()).isEqualTo("PreemptLowerPriority");
        assertThat(r.check(pod)).isEmpty();
    }

    @Test
    void templateNamingTheGlobalDefaultChoseIt() {
        PriorityClassRule r = new PriorityClassRule("headstart-high", WITH_DEFAULT.catalog());
        Workload ds = workload("{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'name':'d'},"
                + "'spec':{'template':{'spec':{'priorityClassName':'tenant-default','containers':[]}}}}");
        assertThat(r.check(ds)).isEmpty();
        assertThat(r.mutate(ds, new Warnings())).isFalse();
    }

    @Test
    void podWithTheDefaultsNameButAnotherPriorityIsNotThePluginsWork() {
        PriorityClassRule r = new PriorityClassRule("headstart-high", WITH_DEFAULT.catalog());
        Workload pod = workload("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},"
                + "'spec':{'priorityClassName':'tenant-default','priority':5,'containers':[]}}");
        assertThat(r.check(pod)).isEmpty();
        assertThat(r.mutate(pod, new Warnings())).isFalse();
    }

    @Test
    void headstartsClassAsTheGlobalDefaultIsAlreadyThere() {
        PriorityPlugin own = new PriorityPlugin(java.util.Map.of(
                "headstart-high", new PriorityPlugin.Class(1000000, "PreemptLowerPriority", true)));
        Workload pod = workload("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},"
                + "'spec':{'priorityClassName':'headstart-high','priority':1000000,'containers':[]}}");
        assertThat(new PriorityClassRule("headstart-high", own.catalog()).check(pod)).isEmpty();
    }

    // --- defect 5, pods: a priority the plugin did not resolve is the owner's ---

    @Test
    void podWithAPriorityOfItsOwnIsLeftAloneWithAWarning() {
        Workload pod = workload("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},'spec':{'priority':7,'containers':[]}}");
        Warnings warnings = new Warnings();
        assertThat(rule.check(pod)).isEmpty();
        assertThat(rule.mutate(pod, warnings)).isFalse();
        assertThat(pod.podSpec().has("priorityClassName")).isFalse();
        assertThat(warnings.messages()).singleElement().asString().contains("pod sets priority 7");
    }

    @Test
    void templateWithPriorityZeroIsLeftAloneAndPasses() {
        Workload ds = workload("{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'name':'d'},"
                + "'spec':{'template':{'spec':{'priority':0,'containers':[]}}}}");
        Warnings warnings = new Warnings();
        assertThat(rule.check(ds)).isEmpty();
        assertThat(rule.mutate(ds, warnings)).isFalse();
        assertThat(ds.podSpec().has("priorityClassName")).isFalse();
        assertThat(warnings.messages()).singleElement().asString()
                .isEqualTo("headstart: priority-class: pod template sets priority 0, which differs from PriorityClass "
                        + "headstart-high (1000000, PreemptLowerPriority); headstart-high not added, its pods would be Forbidden");
    }

    // --- defect 10: who gets the class ---

    @Test
    void podsOwnedByAJobAndJobsAndCronJobsAreLeftAloneByDefault() {
        Workload jobPod = workload("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','ownerReferences':"
                + "[{'apiVersion':'batch/v1','kind':'Job','name':'j','uid':'u','controller':true}]},'spec':{'containers':[]}}");
        Workload job = workload("{'apiVersion':'batch/v1','kind':'Job','metadata':{'name':'j'},'spec':{'template':{'spec':{'containers':[]}}}}");
        Workload cron = workload("{'apiVersion':'batch/v1','kind':'CronJob','metadata':{'name':'c'},"
                + "'spec':{'jobTemplate':{'spec':{'template':{'spec':{'containers':[]}}}}}}");
        for (Workload w : java.util.List.of(jobPod, job, cron)) {
            assertThat(rule.appliesTo(w)).as(w.kind().kindName()).isFalse();
        }
        PriorityClassRule all = new PriorityClassRule("headstart-high", false,
                PriorityClassCatalog.of("headstart-high", new PriorityClassSpec(1000000, null)), NamespaceAnnotations.NONE);
        assertThat(all.appliesTo(jobPod)).isTrue();
        assertThat(all.mutate(jobPod, new Warnings())).isTrue();
    }

    @Test
    void podOwnedByAReplicaSetGetsTheClass() {
        Workload pod = workload("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','ownerReferences':"
                + "[{'apiVersion':'apps/v1','kind':'ReplicaSet','name':'r','uid':'u'}]},'spec':{'containers':[]}}");
        assertThat(rule.appliesTo(pod)).isTrue();
        assertThat(rule.mutate(pod, new Warnings())).isTrue();
    }

    private static PriorityClassRule inNamespaces(java.util.Map<String, String> choice) {
        PriorityPlugin classes = new PriorityPlugin(java.util.Map.of(
                "headstart-high", new PriorityPlugin.Class(1000000, "PreemptLowerPriority", false),
                "team-medium", new PriorityPlugin.Class(5000, "Never", false)));
        return new PriorityClassRule("headstart-high", true, classes.catalog(),
                (ns, key) -> key.equals(PriorityClassRule.NAMESPACE_ANNOTATION) ? Optional.ofNullable(choice.get(ns)) : Optional.empty());
    }

    private static Workload podIn(String namespace) {
        return workload("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'" + namespace + "'},'spec':{'containers':[]}}");
    }

    @Test
    void namespaceAnnotationChoosesAnotherClassOrNone() {
        PriorityClassRule r = inNamespaces(java.util.Map.of("batch", "none", "medium", "team-medium",
                "bad", "system-node-critical", "gone", "no-such-class"));
        Workload batch = podIn("batch");
        assertThat(r.check(batch)).isEmpty();
        assertThat(r.mutate(batch, new Warnings())).isFalse();

        Workload medium = podIn("medium");
        assertThat(r.check(medium)).singleElement().extracting(Finding::fix).isEqualTo("set spec.priorityClassName: team-medium");
        assertThat(r.mutate(medium, new Warnings())).isTrue();
        assertThat(medium.podSpec().path("priorityClassName").asText()).isEqualTo("team-medium");
        assertThat(medium.podSpec().path("priority").asInt()).isEqualTo(5000);
        assertThat(medium.podSpec().path("preemptionPolicy").asText()).isEqualTo("Never");

        Warnings warnings = new Warnings();
        assertThat(r.mutate(podIn("bad"), warnings)).isFalse();
        assertThat(warnings.messages()).singleElement().asString().contains("'system-node-critical' is not a class Headstart gives");

        Warnings gone = new Warnings();
        assertThat(r.mutate(podIn("gone"), gone)).isFalse();
        assertThat(gone.messages()).containsExactly(
                "headstart: priority-class: PriorityClass no-such-class does not exist in the cluster; not injected");

        Workload plain = podIn("other");
        assertThat(r.mutate(plain, new Warnings())).isTrue();
        assertThat(plain.podSpec().path("priorityClassName").asText()).isEqualTo("headstart-high");
    }

    @Test
    void aMalformedNamespaceChoiceIsQuotedOnOneShortLine() {
        PriorityClassRule r = inNamespaces(java.util.Map.of("odd", "Team Medium\n\u001B[2Jforged line " + "x".repeat(200)));
        Warnings warnings = new Warnings();
        assertThat(r.mutate(podIn("odd"), warnings)).isFalse();
        assertThat(warnings.messages()).singleElement().asString()
                .contains("'Team Medium [2Jforged line xxx").contains("x…' is not a class Headstart gives")
                .doesNotContain("\n", "\u001B").hasSizeLessThan(300);
    }

    @Test
    void unsyncedNamespacesInjectNothing() {
        NamespaceAnnotations unsynced = new NamespaceAnnotations() {
            @Override
            public boolean ready() {
                return false;
            }

            @Override
            public Optional<String> annotation(String namespace, String key) {
                return Optional.empty();
            }
        };
        PriorityClassRule r = new PriorityClassRule("headstart-high", true,
                PriorityClassCatalog.of("headstart-high", new PriorityClassSpec(1000000, null)), unsynced);
        Warnings warnings = new Warnings();
        assertThat(r.mutate(podIn("x"), warnings)).isFalse();
        assertThat(warnings.messages()).containsExactly(
                "headstart: priority-class: namespace cache has not synced yet; class not injected");
    }
}
