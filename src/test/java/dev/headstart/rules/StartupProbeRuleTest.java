package dev.headstart.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static dev.headstart.rules.RuleTesting.json;
import static dev.headstart.rules.RuleTesting.pod;
import static dev.headstart.rules.RuleTesting.workload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StartupProbeRuleTest {

    private final StartupProbeRule rule = new StartupProbeRule(1, 300);

    private static ObjectNode firstContainer(Workload w) {
        return w.containers().get(0);
    }

    /** The earliest second after start at which the startup probe can kill (first probe at 0, one per period). */
    private static long earliestKill(ObjectNode container) {
        ObjectNode startup = (ObjectNode) container.get("startupProbe");
        return (startup.path("failureThreshold").asLong() - 1) * startup.path("periodSeconds").asLong();
    }

    private static Workload podWithRestartPolicy(String restartPolicy, String containers) {
        return workload("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},'spec':{"
                + (restartPolicy == null ? "" : "'restartPolicy':'" + restartPolicy + "',")
                + "'containers':" + containers + "}}");
    }

    /** Defect 1 of issue 10: the liveness probe allowed 630 s; the startup probe killed at 300 s. */
    @Test
    void slowStarterKeepsAtLeastWhatItsLivenessProbeAllowed() {
        Workload w = pod("[{'name':'web','image':'a:1','readinessProbe':{'httpGet':{'path':'/ready','port':8080}},"
                + "'livenessProbe':{'httpGet':{'path':'/ready','port':8080},'initialDelaySeconds':600,"
                + "'periodSeconds':10,'failureThreshold':3}}]");
        assertThat(rule.mutate(w, new Warnings())).isTrue();
        ObjectNode c = firstContainer(w);
        // initialDelay + period + (failureThreshold - 1) * max(period, timeout) + timeout = 600 + 10 + 20 + 1
        assertThat(earliestKill(c)).isGreaterThanOrEqualTo(631);
        assertThat(c.at("/startupProbe/failureThreshold").asInt()).isEqualTo(632);
        // The liveness probe is the owner's, untouched: dropping its delay wins no readiness time.
        assertThat(c.at("/livenessProbe/initialDelaySeconds").asInt()).isEqualTo(600);
    }

    @Test
    void derivesFromTheLivenessHandlerAndTimeoutAndZeroesOnlyTheReadinessDelay() {
        Workload w = pod("[{'name':'web','image':'a:1','readinessProbe':{'httpGet':{'path':'/ready','port':8080},"
                + "'initialDelaySeconds':20,'periodSeconds':10,'timeoutSeconds':2,'failureThreshold':3},"
                + "'livenessProbe':{'tcpSocket':{'port':8080},'initialDelaySeconds':60,'timeoutSeconds':3}}]");
        assertThat(rule.check(w)).extracting(Finding::message)
                .containsExactly("container web has a readinessProbe but no startupProbe");
        assertThat(rule.mutate(w, new Warnings())).isTrue();
        ObjectNode c = firstContainer(w);
        // A readiness handler can fail for long while the container is alive; only the liveness
        // handler may decide a kill. Budget: max(300, 60 + 10 + 2 * 10 + 3) = 300.
        assertThat(c.get("startupProbe")).isEqualTo(json("{'tcpSocket':{'port':8080},'timeoutSeconds':3,"
                + "'initialDelaySeconds':0,'periodSeconds':1,'successThreshold':1,'failureThreshold':301}"));
        assertThat(earliestKill(c)).isEqualTo(300);
        assertThat(c.at("/readinessProbe/initialDelaySeconds").asInt()).isZero();
        assertThat(c.at("/readinessProbe/periodSeconds").asInt()).isEqualTo(10);
        assertThat(c.at("/livenessProbe/initialDelaySeconds").asInt()).isEqualTo(60);
        assertThat(rule.check(w)).isEmpty();
        assertThat(rule.mutate(w, new Warnings())).isFalse();
    }

    /** The CLI reads manifests undefaulted: absent fields count as the API server's defaults. */
    @Test
    void absentLivenessTimingCountsAsTheApiDefaults() {
        // period 10, timeout 1, failureThreshold 3: 0 + 10 + 2 * 10 + 1 = 31 s.
        Workload w = pod("[{'name':'c','image':'a:1','readinessProbe':{'exec':{'command':['true']}},"
                + "'livenessProbe':{'exec':{'command':['true']}}}]");
        new StartupProbeRule(1, 10).mutate(w, new Warnings());
        assertThat(earliestKill(firstContainer(w))).isEqualTo(31);
        // Zeros are defaulted like absent fields.
        Workload zeros = pod("[{'name':'c','image':'a:1','readinessProbe':{'exec':{'command':['true']}},"
                + "'livenessProbe':{'exec':{'command':['true']},'periodSeconds':0,'timeoutSeconds':0,'failureThreshold':0}}]");
        new StartupProbeRule(1, 10).mutate(zeros, new Warnings());
        assertThat(earliestKill(firstContainer(zeros))).isEqualTo(31);
    }

    @Test
    void aTimeoutLongerThanThePeriodSpacesTheLivenessProbes() {
        // 0 + 5 + 2 * max(5, 20) + 20 = 65 s.
        Workload w = pod("[{'name':'c','image':'a:1','readinessProbe':{'exec':{'command':['true']}},"
                + "'livenessProbe':{'exec':{'command':['true']},'periodSeconds':5,'timeoutSeconds':20}}]");
        new StartupProbeRule(1, 10).mutate(w, new Warnings());
        assertThat(earliestKill(firstContainer(w))).isEqualTo(65);
        assertThat(firstContainer(w).at("/startupProbe/timeoutSeconds").asInt()).isEqualTo(20);
    }

    @Test
    void theConfiguredBudgetIsAFloorNotACap() {
        Workload small = pod("[{'name':'c','image':'a:1','readinessProbe':{'exec':{'command':['true']}},"
                + "'livenessProbe':{'exec':{'command':['true']},'periodSeconds':1,'failureThreshold':1}}]");
        new StartupProbeRule(1, 300).mutate(small, new Warnings());
        assertThat(earliestKill(firstContainer(small))).isEqualTo(300);
        Workload large = pod("[{'name':'c','image':'a:1','readinessProbe':{'exec':{'command':['true']}},"
                + "'livenessProbe':{'exec':{'command':['true']},'initialDelaySeconds':900}}]");
        new StartupProbeRule(1, 300).mutate(large, new Warnings());
        assertThat(earliestKill(firstContainer(large))).isEqualTo(900 + 10 + 20 + 1);
    }

    /**
     * Issue 19, case 3 (and defect 2 of issue 10): nothing ever killed a readiness-only container,
     * which may be meant to stay unready for days; its startup probe never kills (int32 maximum).
     */
    @Test
    void readinessOnlyContainerIsNeverKilled() {
        for (String policy : new String[] {null, "Always", "OnFailure"}) {
            Workload w = podWithRestartPolicy(policy, "[{'name':'c','image':'a:1','readinessProbe':"
                    + "{'httpGet':{'path':'/ready','port':8080},'initialDelaySeconds':15}}]");
            assertThat(rule.mutate(w, new Warnings())).isTrue();
            ObjectNode c = firstContainer(w);
            assertThat(c.at("/startupProbe/httpGet/path").asText()).isEqualTo("/ready");
            assertThat(c.at("/startupProbe/failureThreshold").asInt()).as("restartPolicy %s", policy)
                    .isEqualTo(Integer.MAX_VALUE);
            assertThat(c.at("/startupProbe/timeoutSeconds").asInt()).as("written defaulted").isEqualTo(1);
            assertThat(c.at("/readinessProbe/initialDelaySeconds").asInt()).isZero();
        }
    }

    /** With restartPolicy Never a startup-probe kill fails the pod: no startup probe, only the delay drops. */
    @Test
    void readinessOnlyContainerThatIsNeverRestartedGetsNoStartupProbe() {
        String container = "{'name':'c','image':'a:1','readinessProbe':{'exec':{'command':['true']},'initialDelaySeconds':15}";
        for (Workload w : new Workload[] {
                podWithRestartPolicy("Never", "[" + container + "}]"),
                podWithRestartPolicy("Always", "[" + container + ",'restartPolicy':'Never'}]"),
                podWithRestartPolicy("Always", "[" + container + ",'restartPolicyRules':[{'action':'Restart'}]}]")}) {
            assertThat(rule.check(w)).extracting(Finding::fix).containsExactly("set readinessProbe.initialDelaySeconds: 0");
            assertThat(rule.mutate(w, new Warnings())).isTrue();
            assertThat(firstContainer(w).has("startupProbe")).isFalse();
            assertThat(firstContainer(w).at("/readinessProbe/initialDelaySeconds").asInt()).isZero();
            assertThat(rule.check(w)).isEmpty();
            assertThat(rule.mutate(w, new Warnings())).isFalse();
        }
        Workload ready = podWithRestartPolicy("Never", "[{'name':'c','image':'a:1','readinessProbe':{'exec':{'command':['true']}}}]");
        assertThat(rule.check(ready)).isEmpty();
        assertThat(rule.mutate(ready, new Warnings())).isFalse();
    }

    /** Without a readiness probe a container is ready once started: a startup probe would only hold that back. */
    @Test
    void livenessOnlyContainerIsLeftAlone() {
        Workload w = pod("[{'name':'c','image':'a:1','livenessProbe':{'tcpSocket':{'port':80},'initialDelaySeconds':30}}]");
        assertThat(rule.check(w)).isEmpty();
        assertThat(rule.mutate(w, new Warnings())).isFalse();
        assertThat(firstContainer(w).has("startupProbe")).isFalse();
        assertThat(firstContainer(w).at("/livenessProbe/initialDelaySeconds").asInt()).isEqualTo(30);
    }

    @Test
    void copiesEveryHandlerKind() {
        for (String handler : new String[] {"{'exec':{'command':['cat','/tmp/ok']}}", "{'grpc':{'port':9000,'service':'s'}}",
                "{'tcpSocket':{'port':'http'}}", "{'httpGet':{'path':'/h','port':80,'httpHeaders':[{'name':'X','value':'y'}]}}"}) {
            Workload w = pod("[{'name':'c','image':'a:1','readinessProbe':" + handler + "}]");
            rule.mutate(w, new Warnings());
            ObjectNode startup = (ObjectNode) firstContainer(w).get("startupProbe");
            ObjectNode expected = json(handler);
            expected.fieldNames().forEachRemaining(f -> assertThat(startup.get(f)).isEqualTo(expected.get(f)));
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
        Workload w = pod("[{'name':'c','image':'a:1','readinessProbe':{'exec':{'command':['true']}},"
                + "'livenessProbe':{'exec':{'command':['true']},'periodSeconds':1,'failureThreshold':1}}]");
        new StartupProbeRule(7, 100).mutate(w, new Warnings());
        assertThat(firstContainer(w).at("/startupProbe/periodSeconds").asInt()).isEqualTo(7);
        // ceil(100 / 7) + 1 = 16: the 16th probe runs no sooner than 15 * 7 = 105 s after start.
        assertThat(firstContainer(w).at("/startupProbe/failureThreshold").asInt()).isEqualTo(16);
    }

    @Test
    void absurdTimingIsCappedAtTheLargestThresholdTheApiAccepts() {
        Workload w = pod("[{'name':'c','image':'a:1','readinessProbe':{'exec':{'command':['true']}},"
                + "'livenessProbe':{'exec':{'command':['true']},'initialDelaySeconds':2147483647,"
                + "'periodSeconds':2147483647,'failureThreshold':2147483647}}]");
        rule.mutate(w, new Warnings());
        assertThat(firstContainer(w).at("/startupProbe/failureThreshold").asInt()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void rejectsNonsenseTiming() {
        assertThatThrownBy(() -> new StartupProbeRule(0, 300)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StartupProbeRule(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void oddShapesAreIgnoredNotFatal() {
        Workload w = pod("[{'name':'c','readinessProbe':'yes'}, 42, null]");
        assertThat(rule.check(w)).isEmpty();
        assertThat(rule.mutate(w, new Warnings())).isFalse();
        Workload oddTiming = pod("[{'name':'c','readinessProbe':{'exec':{}},'livenessProbe':{'exec':{},"
                + "'periodSeconds':'x','timeoutSeconds':[],'failureThreshold':-4}}]");
        new StartupProbeRule(1, 10).mutate(oddTiming, new Warnings());
        assertThat(earliestKill(firstContainer(oddTiming))).isEqualTo(31);
    }
}
