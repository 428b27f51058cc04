package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.CompatibilityFlags;
import io.fabric8.zjsonpatch.JsonPatch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static dev.headstart.rules.RuleTesting.workload;
import static org.assertj.core.api.Assertions.assertThat;

class RuleEngineTest {

    private static final String POD = "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','annotations':%s},"
            + "'spec':{'containers':[{'name':'web','image':'app:1.0.0','imagePullPolicy':'Always',"
            + "'readinessProbe':{'exec':{'command':['true']}}}]}}";

    private final RuleEngine engine = RuleSet.engine(RuleSettings.defaults(),
            PriorityClassCatalog.of("headstart-high", new PriorityClassSpec(1000000, null)));

    private static JsonNode apply(Mutation m, ObjectNode original) {
        return JsonPatch.apply(m.patch(), original, EnumSet.of(CompatibilityFlags.FORBID_REMOVE_MISSING_OBJECT));
    }

    @Test
    void recordsAppliedRulesAndThePatchReproducesTheMutatedObject() {
        Workload w = workload(String.format(POD, "{}"));
        ObjectNode original = w.root().deepCopy();
        Mutation m = engine.mutate(w);
        assertThat(m.applied()).containsExactly("priority-class", "startup-probe", "pull-policy");
        assertThat(m.mutated().at("/metadata/annotations").path(Annotations.APPLIED).asText())
                .isEqualTo("priority-class,startup-probe,pull-policy");
        assertThat(apply(m, original)).isEqualTo(m.mutated());
        assertThat(w.root()).as("the received object is never modified").isEqualTo(original);
    }

    /**
     * pull-policy changes the init container that api-wait then shifts to index 1. Diffed in one
     * stage that came out as field-by-field replaces of index 0; api-wait's own stage keeps it one add.
     */
    @Test
    void anInsertedInitContainerIsOneAddEvenWhenTheOneItShiftsAlsoChanged() {
        Workload w = workload("{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'name':'aws-node','namespace':'kube-system'},"
                + "'spec':{'template':{'spec':{'initContainers':[{'name':'init','image':'cni-init:v1.18.1','imagePullPolicy':'Always'}],"
                + "'containers':[{'name':'aws-node','image':'cni:v1.18.1','imagePullPolicy':'IfNotPresent'}]}}}}");
        ObjectNode original = w.root().deepCopy();
        RuleEngine withApiWait = RuleSet.engine(RuleSettings.defaults().withApiWait(Set.of("kube-system/aws-node"),
                "registry.example.com/busybox:1.36.1"), PriorityClassCatalog.of("headstart-high", new PriorityClassSpec(1000000, null)));
        Mutation m = withApiWait.mutate(w);
        assertThat(m.applied()).contains("pull-policy", "api-wait");
        List<String> initOps = new ArrayList<>();
        for (JsonNode op : m.patch()) {
            if (op.path("path").asText().contains("/initContainers")) {
                initOps.add(op.path("op").asText() + " " + op.path("path").asText());
            }
        }
        assertThat(initOps).containsExactly(
                "replace /spec/template/spec/initContainers/0/imagePullPolicy",
                "add /spec/template/spec/initContainers/0");
        assertThat(apply(m, original)).isEqualTo(m.mutated());
        assertThat(m.mutated().at("/spec/template/spec/initContainers/1/name").asText()).isEqualTo("init");
    }

    @Test
    void annotationsObjectIsCreatedWhenMissing() {
        Workload w = workload("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},'spec':{'containers':[]}}");
        ObjectNode original = w.root().deepCopy();
        Mutation m = engine.mutate(w);
        assertThat(apply(m, original).at("/metadata/annotations").path(Annotations.APPLIED).asText()).isEqualTo("priority-class");
    }

    @Test
    void skipAnnotationSwitchesRulesOffByNameOrAll() {
        assertThat(engine.mutate(workload(String.format(POD, "{'headstart.dev/skip':'all'}"))).changed()).isFalse();
        Mutation m = engine.mutate(workload(String.format(POD, "{'headstart.dev/skip':' startup-probe , pull-policy'}")));
        assertThat(m.applied()).containsExactly("priority-class");
        assertThat(engine.evaluate(workload(String.format(POD, "{'headstart.dev/skip':'pull-policy'}"))))
                .filteredOn(r -> r.rule().name().equals("pull-policy")).extracting(RuleResult::status)
                .containsExactly(RuleStatus.SKIP);
    }

    /** Defect 9 of issue 10: api-wait is inert until the operator names the DaemonSets and the image. */
    @Test
    void apiWaitIsInertByDefault() {
        Workload awsNode = workload("{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'name':'aws-node','namespace':'kube-system'},"
                + "'spec':{'template':{'spec':{'containers':[{'name':'aws-node','image':'cni:v1.18.1'}]}}}}");
        assertThat(engine.evaluate(awsNode)).extracting(r -> r.rule().name()).doesNotContain(ApiWaitRule.NAME);
        assertThat(engine.mutate(awsNode).mutated().at("/spec/template/spec").has("initContainers")).isFalse();
        assertThat(RuleSettings.defaults().apiWaitDaemonSets()).isEmpty();
        assertThat(RuleSettings.defaults().apiWaitImage()).isEmpty();
    }

    /** Defect 12 of issue 10: a typo in the skip list skips nothing, and says so. */
    @Test
    void unknownNamesInTheSkipListAreWarnedAbout() {
        Workload typo = workload(String.format(POD, "{'headstart.dev/skip':'startup-probes, pull-policy,all-rules'}"));
        String expected = "headstart: unknown rule names in headstart.dev/skip: \"all-rules\", \"startup-probes\" "
                + "(rules: priority-class, startup-probe, pull-policy, api-wait, kube-proxy-hostname, cpu-boost); they skip nothing";
        Mutation m = engine.mutate(typo);
        assertThat(m.applied()).containsExactly("priority-class", "startup-probe");
        assertThat(m.warnings()).containsExactly(expected);
        assertThat(engine.skipWarnings(typo)).containsExactly(expected);
        // Also when nothing is left to do, and never for real names or "all".
        Workload nothingToDo = workload(String.format(POD, "{'headstart.dev/skip':'all,nope'}"));
        assertThat(engine.mutate(nothingToDo).changed()).isFalse();
        assertThat(engine.mutate(nothingToDo).warnings()).singleElement().asString().contains("\"nope\"");
        assertThat(engine.skipWarnings(workload(String.format(POD, "{'headstart.dev/skip':'all, startup-probe'}")))).isEmpty();
        // Names are shown bounded and printable.
        Workload hostile = workload(String.format(POD, "{'headstart.dev/skip':'" + "x".repeat(500) + "\\ny,be\\u0007ll'}"));
        assertThat(engine.skipWarnings(hostile)).singleElement().asString()
                .contains("\"be?ll\"", "\"" + "x".repeat(60) + "...\"").doesNotContain("\n", "\u0007").hasSizeLessThan(300);
    }

    @Test
    void settingsThatDoNotDoWhatTheySeemToAreNamed() {
        assertThat(RuleSet.settingsWarnings(RuleSettings.defaults())).isEmpty();
        assertThat(RuleSet.settingsWarnings(RuleSettings.defaults().withDisabledRules(Set.of("pull-policy", "pullpolicy"))))
                .containsExactly("unknown rule name in headstart.disabled-rules: \"pullpolicy\" (rules: priority-class, "
                        + "startup-probe, pull-policy, api-wait, kube-proxy-hostname, cpu-boost)");
        assertThat(RuleSet.settingsWarnings(RuleSettings.defaults().withApiWait(Set.of("kube-system/aws-node"), "")))
                .containsExactly("api-wait stays off: set both headstart.api-wait.daemonsets and headstart.api-wait.image"
                        + " (only daemonsets is set)");
        assertThat(RuleSet.settingsWarnings(RuleSettings.defaults().withApiWait(Set.of(), "busybox:1.36.1")))
                .singleElement().asString().endsWith("(only image is set)");
    }

    @Test
    void skipAnnotationOnAPodTemplateCounts() {
        Workload ds = workload("{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'name':'d'},'spec':{'template':"
                + "{'metadata':{'annotations':{'headstart.dev/skip':'all'}},'spec':{'containers':[]}}}}");
        assertThat(engine.mutate(ds).changed()).isFalse();
    }

    @Test
    void configurationCanDisableRules() {
        RuleEngine limited = RuleSet.engine(RuleSettings.defaults().withDisabledRules(Set.of("priority-class", "pull-policy")),
                name -> java.util.Optional.empty());
        assertThat(limited.mutate(workload(String.format(POD, "{}"))).applied()).containsExactly("startup-probe");
    }

    @Test
    void appliedAnnotationKeepsEarlierNames() {
        Workload w = workload(String.format(POD, "{'headstart.dev/applied':'kube-proxy-hostname'}"));
        assertThat(engine.mutate(w).mutated().at("/metadata/annotations").path(Annotations.APPLIED).asText())
                .isEqualTo("kube-proxy-hostname,priority-class,startup-probe,pull-policy");
    }

    @Test
    void aRuleThatThrowsFailsOpenAndLeavesNothingHalfDone() {
        Rule halfThenThrow = new Rule() {
            public String name() {
                return "broken";
            }

            public boolean appliesTo(Workload w) {
                return true;
            }

            public List<Finding> check(Workload w) {
                return List.of(new Finding("broken", "always", "none"));
            }

            public boolean mutate(Workload w, Warnings warnings) {
                w.metadata().put("halfDone", true);
                throw new IllegalStateException("odd object");
            }
        };
        List<String> errors = new ArrayList<>();
        RuleEngine withBroken = new RuleEngine(List.of(new StartupProbeRule(1, 300), halfThenThrow), Set.of(),
                (rule, e) -> errors.add(rule + ":" + e.getMessage()));
        Workload w = workload(String.format(POD, "{}"));
        ObjectNode original = w.root().deepCopy();
        Mutation m = withBroken.mutate(w);
        assertThat(m.applied()).containsExactly("startup-probe");
        assertThat(m.failed()).containsExactly("broken");
        assertThat(m.warnings()).containsExactly("headstart: broken: rule failed and was skipped");
        assertThat(errors).containsExactly("broken:odd object");
        assertThat(apply(m, original).at("/metadata/halfDone").isMissingNode()).isTrue();
    }

    /** A rule named "broken" whose check throws this. */
    private static Rule throwingInCheck(RuntimeException error) {
        return new Rule() {
            public String name() {
                return "broken";
            }

            public boolean appliesTo(Workload w) {
                return true;
            }

            public List<Finding> check(Workload w) {
                throw error;
            }

            public boolean mutate(Workload w, Warnings warnings) {
                return false;
            }
        };
    }

    @Test
    void aRuleThatThrowsInCheckIsAnErrorResult() {
        RuleEngine e = new RuleEngine(List.of(throwingInCheck(new NullPointerException())), Set.of());
        Workload w = workload(String.format(POD, "{}"));
        assertThat(e.evaluate(w)).extracting(RuleResult::status).containsExactly(RuleStatus.ERROR);
        Mutation m = e.mutate(w);
        assertThat(m.changed()).isFalse();
        assertThat(m.warnings()).containsExactly("headstart: broken: rule failed and was skipped");
    }

    @Test
    void anErrorResultSaysWhyOnOneBoundedLine() {
        Rule throwsInCheck = throwingInCheck(new IllegalStateException("first line\nsecond line " + "x".repeat(10_000)));
        RuleResult result = new RuleEngine(List.of(throwsInCheck), Set.of())
                .evaluate(workload(String.format(POD, "{}"))).get(0);
        assertThat(result.status()).isEqualTo(RuleStatus.ERROR);
        assertThat(result.error()).startsWith("first line second line xxx").doesNotContain("\n")
                .hasSize(dev.headstart.text.OneLine.MAX_ERROR_CHARS + 1).endsWith("…");
    }

    @Test
    void nonWorkloadsHaveNoView() {
        assertThat(Workload.of(RuleTesting.json("{'apiVersion':'v1','kind':'ConfigMap'}"))).isEmpty();
        assertThat(Workload.of(RuleTesting.json("{'apiVersion':'example.com/v1','kind':'Pod'}"))).isEmpty();
        assertThat(Workload.of(null)).isEmpty();
    }
}
