package dev.headstart.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static dev.headstart.rules.RuleTesting.json;
import static dev.headstart.rules.RuleTesting.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StartupProbeRuleTest {

    private final StartupProbeRule rule = new StartupProbeRule(1, 300);

    private ObjectNode firstContainer(Workload w) {
        return w.containers().get(0);
    }

    @Test
    void derivesFromReadinessWithSameHandlerAndZeroesInitialDelays() {
        Workload w = pod("[{'name':'web','image':'a:1','readinessProbe':{'httpGet':{'path':'/ready','port':8080},"
                + "'initialDelaySeconds':20,'periodSeconds':10,'timeoutSeconds':2,'failureThreshold':3},"
                + "'livenessProbe':{'tcpSocket':{'port':8080},'initialDelaySeconds':60}}]");
        assertThat(rule.check(w)).extracting(Finding::message)
                .containsExactly("container web has a readinessProbe but no startupProbe");
        assertThat(rule.mutate(w, new Warnings())).isTrue();
        ObjectNode c = firstContainer(w);
        assertThat(c.get("startupProbe")).isEqualTo(json("{'httpGet':{'path':'/ready','port':8080},'timeoutSeconds':2,"
                + "'initialDelaySeconds':0,'periodSeconds':1,'successThreshold':1,'failureThreshold':300}"));
        assertThat(c.at("/readinessProbe/initialDelaySeconds").asInt()).isZero();
        assertThat(c.at("/livenessProbe/initialDelaySeconds").asInt()).isZero();
        // The other timing of the original probes stays as the user wrote it.
        assertThat(c.at("/readinessProbe/periodSeconds").asInt()).isEqualTo(10);
        assertThat(rule.check(w)).isEmpty();
    }

    @Test
    void fallsBackToLivenessAndCopiesEveryHandlerKind() {
        for (String handler : new String[] {"{'exec':{'command':['cat','/tmp/ok']}}", "{'grpc':{'port':9000,'service':'s'}}",
                "{'tcpSocket':{'port':'http'}}", "{'httpGet':{'path':'/h','port':80,'httpHeaders':[{'name':'X','value':'y'}]}}"}) {
            Workload w = pod("[{'name':'c','image':'a:1','livenessProbe':" + handler + "}]");
            rule.mutate(w, new Warnings());
            ObjectNode startup = (ObjectNode) firstContainer(w).get("startupProbe");
            ObjectNode expected = json(handler);
            expected.fieldNames().forEachRemaining(f -> assertThat(startup.get(f)).isEqualTo(expected.get(f)));
            assertThat(startup.path("failureThreshold").asInt()).isEqualTo(300);
        }
    }

    @Test
    void existingStartupProbeLeavesAllProbesAlone() {
        Workload w = pod("[{'name':'c','image':'a:1','startupProbe':{'exec':{'command':['true']}},"
                + "'readinessProbe':{'exec':{'command':['true']},'initialDelaySeconds':30}}]");
        assertThat(rule.check(w)).isEmpty();
        assertThat(rule.mutate(w, new Warnings())).isFalse();
        assertThat(firstContainer(w).at("/readinessProbe/initialDelaySeconds").asInt()).isEqualTo(30);
    }

    @Test
    void containerWithoutProbesIsLeftAlone() {
        Workload w = pod("[{'name':'c','image':'a:1'}]");
        assertThat(rule.check(w)).isEmpty();
        assertThat(rule.mutate(w, new Warnings())).isFalse();
        assertThat(firstContainer(w).has("startupProbe")).isFalse();
    }

    @Test
    void failureThresholdCoversTheBudgetRoundingUp() {
        Workload w = pod("[{'name':'c','image':'a:1','readinessProbe':{'exec':{'command':['true']}}}]");
        new StartupProbeRule(7, 100).mutate(w, new Warnings());
        assertThat(firstContainer(w).at("/startupProbe/periodSeconds").asInt()).isEqualTo(7);
        assertThat(firstContainer(w).at("/startupProbe/failureThreshold").asInt()).isEqualTo(15);
    }

    @Test
    void rejectsNonsenseTiming() {
        assertThatThrownBy(() -> new StartupProbeRule(0, 300)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void oddShapesAreIgnoredNotFatal() {
        Workload w = pod("[{'name':'c','readinessProbe':'yes'}, 42, null]");
        assertThat(rule.check(w)).isEmpty();
        assertThat(rule.mutate(w, new Warnings())).isFalse();
    }
}
