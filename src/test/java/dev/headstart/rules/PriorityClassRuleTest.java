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
}
