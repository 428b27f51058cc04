package dev.headstart.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.rules.Finding;
import dev.headstart.rules.PriorityClassCatalog;
import dev.headstart.rules.PriorityClassSpec;
import dev.headstart.rules.Rule;
import dev.headstart.rules.RuleEngine;
import dev.headstart.rules.RuleResult;
import dev.headstart.rules.RuleSet;
import dev.headstart.rules.RuleSettings;
import dev.headstart.rules.RuleStatus;
import dev.headstart.rules.Warnings;
import dev.headstart.rules.Workload;
import dev.headstart.testing.Reviews;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyReportModelTest {

    private static final Instant NOW = Instant.parse("2026-11-21T14:30:05.123456789Z");
    private final RuleEngine engine = RuleSet.engine(RuleSettings.defaults(),
            PriorityClassCatalog.of("headstart-high", new PriorityClassSpec(1000000, "PreemptLowerPriority")));

    @Test
    void podWithGapsGetsOneResultPerRuleAndMatchingSummary() {
        ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
        Workload workload = Workload.of(pod).orElseThrow();
        ObjectNode report = PolicyReportModel.build(workload, engine.evaluate(workload), NOW, "uid-1");

        assertThat(report.path("apiVersion").asText()).isEqualTo("wgpolicyk8s.io/v1alpha2");
        assertThat(report.path("kind").asText()).isEqualTo("PolicyReport");
        assertThat(report.at("/metadata/name").asText()).as("named by the owner uid").isEqualTo("headstart-uid-1");
        assertThat(report.at("/metadata/labels/headstart.dev~1report").asText()).isEqualTo("rules");
        assertThat(report.at("/metadata/annotations/headstart.dev~1verdict").asText()).hasSize(32);
        assertThat(report.at("/metadata/namespace").asText()).isEqualTo("shop");
        JsonNode owner = report.at("/metadata/ownerReferences/0");
        assertThat(owner.path("apiVersion").asText()).isEqualTo("v1");
        assertThat(owner.path("kind").asText()).isEqualTo("Pod");
        assertThat(owner.path("name").asText()).isEqualTo("web-7c9d");
        assertThat(owner.path("uid").asText()).isEqualTo("uid-1");
        assertThat(report.at("/scope")).hasToString(
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"web-7c9d\",\"namespace\":\"shop\",\"uid\":\"uid-1\"}");

        JsonNode results = report.path("results");
        List<String> policies = new ArrayList<>();
        results.forEach(r -> policies.add(r.path("policy").asText() + "=" + r.path("result").asText()));
        // api-wait and kube-proxy-hostname concern DaemonSets only: no result for a Pod.
        assertThat(policies).containsExactly("priority-class=fail", "startup-probe=fail", "pull-policy=fail");
        JsonNode startup = results.get(1);
        assertThat(startup.path("source").asText()).isEqualTo("headstart");
        assertThat(startup.path("severity").asText()).isEqualTo("medium");
        assertThat(startup.path("category").asText()).isEqualTo("Scale-up latency");
        assertThat(startup.path("message").asText())
                .contains("container web has a readinessProbe but no startupProbe")
                .contains("container sidecar has a readinessProbe but no startupProbe");
        assertThat(startup.at("/timestamp/seconds").asLong()).isEqualTo(NOW.getEpochSecond());
        assertThat(startup.at("/timestamp/nanos").asInt()).isEqualTo(123456789);
        assertThat(startup.at("/properties/fix").asText()).isNotBlank();

        assertThat(report.path("summary")).hasToString("{\"pass\":0,\"fail\":3,\"warn\":0,\"error\":0,\"skip\":0}");
    }

    @Test
    void everyStatusIsCountedAndNamedAsPolicyReportsExpect() {
        Workload workload = Workload.of(Reviews.object("objects/pod-needs-all.json")).orElseThrow();
        Rule a = rule("a");
        List<RuleResult> results = List.of(RuleResult.pass(a), RuleResult.skip(rule("b")),
                new RuleResult(rule("c"), RuleStatus.ERROR, List.of(), "boom"),
                new RuleResult(rule("d"), RuleStatus.FAIL, List.of(new Finding("d", "missing", "add it")), null),
                RuleResult.pass(rule("e")));
        ObjectNode report = PolicyReportModel.build(workload, results, NOW, null);

        assertThat(report.path("summary")).hasToString("{\"pass\":2,\"fail\":1,\"warn\":0,\"error\":1,\"skip\":1}");
        List<String> values = new ArrayList<>();
        report.path("results").forEach(r -> values.add(r.path("result").asText()));
        assertThat(values).containsExactly("pass", "skip", "error", "fail", "pass");
        assertThat(report.at("/results/2/message").asText()).contains("boom");
        // No uid known (a CREATE): no ownerReference yet, and no uid in the scope.
        assertThat(report.at("/metadata/ownerReferences").isMissingNode()).isTrue();
        assertThat(report.at("/scope/uid").isMissingNode()).isTrue();
    }

    @Test
    void longNamesAreShortenedToValidDistinctNames() {
        String base = "a".repeat(240);
        String one = PolicyReportModel.reportName(named(base + "-one"));
        String two = PolicyReportModel.reportName(named(base + "-two"));
        assertThat(one).hasSizeLessThanOrEqualTo(253).startsWith("headstart-daemonset-aaa")
                .matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
        assertThat(two).hasSizeLessThanOrEqualTo(253).isNotEqualTo(one);
        assertThat(PolicyReportModel.reportName(named("kube-proxy"))).isEqualTo("headstart-daemonset-kube-proxy");
    }

    private static Workload named(String name) {
        ObjectNode ds = Reviews.object("objects/pod-needs-all.json").objectNode();
        ds.put("apiVersion", "apps/v1").put("kind", "DaemonSet").putObject("metadata").put("name", name)
                .put("namespace", "kube-system");
        return Workload.of(ds).orElseThrow();
    }

    private static Rule rule(String name) {
        return new Rule() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean appliesTo(Workload workload) {
                return true;
            }

            @Override
            public List<Finding> check(Workload workload) {
                return List.of();
            }

            @Override
            public boolean mutate(Workload workload, Warnings warnings) {
                return false;
            }
        };
    }
}
