package dev.headstart.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.headstart.rules.RuleTesting.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * What Headstart writes passes the Priority plugin: pods go plugin → webhook → plugin again (the
 * reinvocation of in-tree plugins after a patch); a template's spec is copied into each pod, which
 * then meets the plugin. Cases of DESIGN.md's priority-class table.
 */
class PriorityAdmissionChainTest {

    private static final PriorityPlugin.Class HIGH = new PriorityPlugin.Class(1000000, "PreemptLowerPriority", false);
    private static final PriorityPlugin.Class DEFAULT = new PriorityPlugin.Class(100, "Never", true);

    private final PriorityPlugin plain = new PriorityPlugin(Map.of("headstart-high", HIGH));
    private final PriorityPlugin withDefault = new PriorityPlugin(Map.of("headstart-high", HIGH, "tenant-default", DEFAULT));

    /** A pod as a client sends it, through the plugin, Headstart's rule, and the plugin again. */
    private ObjectNode throughChain(PriorityPlugin plugin, String spec, Warnings warnings) {
        ObjectNode pod = json("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'ns'},'spec':" + spec + "}");
        plugin.admit(pod);
        Workload w = Workload.of(pod).orElseThrow();
        new PriorityClassRule("headstart-high", plugin.catalog()).mutate(w, warnings);
        return plugin.admit(pod);
    }

    /** A DaemonSet's template through Headstart's rule, then one pod made from it through the plugin. */
    private ObjectNode podFromTemplate(PriorityPlugin plugin, String templateSpec, Warnings warnings) {
        ObjectNode ds = json("{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'name':'d','namespace':'ns'},"
                + "'spec':{'template':{'spec':" + templateSpec + "}}}");
        Workload w = Workload.of(ds).orElseThrow();
        new PriorityClassRule("headstart-high", plugin.catalog()).mutate(w, warnings);
        ObjectNode pod = json("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'d-x','namespace':'ns'}}");
        pod.set("spec", w.podSpec().deepCopy());
        return plugin.admit(pod);
    }

    @Test
    void templateWithPriorityZeroGetsNoClassAndItsPodsAreAdmitted() {
        Warnings warnings = new Warnings();
        ObjectNode pod = podFromTemplate(plain, "{'priority':0,'containers':[]}", warnings);
        assertThat(pod.at("/spec/priorityClassName").isMissingNode()).isTrue();
        assertThat(pod.at("/spec/priority").asInt()).isZero();
        assertThat(warnings.messages()).singleElement().asString()
                .contains("sets priority 0").contains("headstart-high not added");
    }

    @Test
    void templateWithAnotherPreemptionPolicyGetsNoClassAndItsPodsAreAdmitted() {
        Warnings warnings = new Warnings();
        // Admitted under a global default that does not preempt; with headstart-high it would not be.
        ObjectNode pod = podFromTemplate(withDefault, "{'preemptionPolicy':'Never','containers':[]}", warnings);
        assertThat(pod.at("/spec/priorityClassName").asText()).isEqualTo("tenant-default");
        assertThat(warnings.messages()).singleElement().asString().contains("preemptionPolicy Never");
    }

    @Test
    void templateWhosePriorityMatchesTheClassGetsItsName() {
        Warnings warnings = new Warnings();
        ObjectNode pod = podFromTemplate(plain, "{'priority':1000000,'preemptionPolicy':'PreemptLowerPriority','containers':[]}", warnings);
        assertThat(pod.at("/spec/priorityClassName").asText()).isEqualTo("headstart-high");
        assertThat(warnings.isEmpty()).isTrue();
    }

    @Test
    void plainTemplateGetsTheClassAndItsPodsResolveIt() {
        ObjectNode pod = podFromTemplate(plain, "{'containers':[]}", new Warnings());
        assertThat(pod.at("/spec/priorityClassName").asText()).isEqualTo("headstart-high");
        assertThat(pod.at("/spec/priority").asInt()).isEqualTo(1000000);
    }

    @Test
    void podWithoutClassPassesTheReinvokedPlugin() {
        ObjectNode pod = throughChain(plain, "{'containers':[]}", new Warnings());
        assertThat(pod.at("/spec/priorityClassName").asText()).isEqualTo("headstart-high");
        assertThat(pod.at("/spec/priority").asInt()).isEqualTo(1000000);
        assertThat(pod.at("/spec/preemptionPolicy").asText()).isEqualTo("PreemptLowerPriority");
    }

    @Test
    void podThatWroteThePluginsOwnZeroStillGetsTheClass() {
        ObjectNode pod = throughChain(plain, "{'priority':0,'containers':[]}", new Warnings());
        assertThat(pod.at("/spec/priorityClassName").asText()).isEqualTo("headstart-high");
    }

    @Test
    void podGivenTheGlobalDefaultByThePluginGetsHeadstartsClassAndPassesItAgain() {
        ObjectNode pod = throughChain(withDefault, "{'containers':[]}", new Warnings());
        assertThat(pod.at("/spec/priorityClassName").asText()).isEqualTo("headstart-high");
        assertThat(pod.at("/spec/priority").asInt()).isEqualTo(1000000);
        assertThat(pod.at("/spec/preemptionPolicy").asText()).isEqualTo("PreemptLowerPriority");
    }

    @Test
    void templateUnderAGlobalDefaultGetsTheClassAndItsPodsAreAdmitted() {
        ObjectNode pod = podFromTemplate(withDefault, "{'containers':[]}", new Warnings());
        assertThat(pod.at("/spec/priorityClassName").asText()).isEqualTo("headstart-high");
    }

    @Test
    void theModelForbidsWhatTheOldRuleWrote() {
        // The defect as it was: a template's priority 0 kept, headstart-high added.
        ObjectNode pod = json("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},"
                + "'spec':{'priority':0,'priorityClassName':'headstart-high','containers':[]}}");
        assertThatCode(() -> plain.admit(pod)).isInstanceOf(PriorityPlugin.Forbidden.class)
                .hasMessageContaining("the integer value of priority (0) must not be provided");
    }
}
