package dev.headstart.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static dev.headstart.rules.RuleTesting.tree;
import static dev.headstart.rules.RuleTesting.workload;
import static org.assertj.core.api.Assertions.assertThat;

class KubeProxyHostnameRuleTest {

    private final KubeProxyHostnameRule rule = new KubeProxyHostnameRule();

    private static Workload daemonSet(String container) {
        return workload("{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'name':'kube-proxy','namespace':'kube-system'},"
                + "'spec':{'template':{'spec':{'containers':[" + container + "]}}}}");
    }

    @Test
    void flagsInCommandGetTheOverrideAndNodeNameEnv() {
        Workload ds = daemonSet("{'name':'kube-proxy','image':'registry.k8s.io/kube-proxy:v1.30.0',"
                + "'command':['kube-proxy','--v=2','--config=/var/lib/kube-proxy-config/config'],"
                + "'env':[{'name':'OTHER','value':'x'}]}");
        assertThat(rule.appliesTo(ds)).isTrue();
        assertThat(rule.check(ds)).hasSize(1);
        assertThat(rule.mutate(ds, new Warnings())).isTrue();
        ObjectNode c = ds.containers().get(0);
        assertThat(c.get("command")).isEqualTo(tree("['kube-proxy','--v=2','--config=/var/lib/kube-proxy-config/config',"
                + "'--hostname-override=$(NODE_NAME)']"));
        assertThat(c.get("env")).isEqualTo(tree("[{'name':'OTHER','value':'x'},{'name':'NODE_NAME','valueFrom':"
                + "{'fieldRef':{'apiVersion':'v1','fieldPath':'spec.nodeName'}}}]"));
        assertThat(rule.check(ds)).isEmpty();
        assertThat(rule.mutate(ds, new Warnings())).isFalse();
    }

    @Test
    void flagsInArgsGoToArgs() {
        Workload ds = daemonSet("{'name':'proxy','image':'x/kube-proxy:v1','command':['/usr/local/bin/kube-proxy'],"
                + "'args':['--config=/c']}");
        rule.mutate(ds, new Warnings());
        ObjectNode c = ds.containers().get(0);
        assertThat(c.get("command")).isEqualTo(tree("['/usr/local/bin/kube-proxy']"));
        assertThat(c.get("args")).isEqualTo(tree("['--config=/c','--hostname-override=$(NODE_NAME)']"));
    }

    /**
     * Issue 19, case 5: args on a container with neither command nor args replace the image's CMD
     * (and its --config). Such a kube-proxy is left alone; the warning names how to opt in.
     */
    @Test
    void imageEntrypointWithoutFlagsIsLeftAloneWithAWarning() {
        for (String flags : new String[] {"", ",'command':[],'args':[]", ",'args':null"}) {
            Workload ds = daemonSet("{'name':'kp','image':'registry.k8s.io/kube-proxy:v1.30.0@sha256:ab'" + flags + "}");
            ObjectNode before = ds.root().deepCopy();
            Warnings warnings = new Warnings();
            assertThat(rule.check(ds)).as(flags).isEmpty();
            assertThat(rule.mutate(ds, warnings)).as(flags).isFalse();
            assertThat(ds.root()).isEqualTo(before);
            assertThat(warnings.messages()).singleElement().asString()
                    .contains("kp runs the image's own entrypoint").contains("--hostname-override not added")
                    .contains("To opt in, write the command or args");
        }
    }

    @Test
    void existingOverrideInEitherFormIsLeftAlone() {
        for (String flags : new String[] {"'--hostname-override=$(MY_NODE)'", "'--hostname-override','node-1'"}) {
            Workload ds = daemonSet("{'name':'kube-proxy','image':'kp:1','command':['kube-proxy'," + flags + "]}");
            assertThat(rule.check(ds)).isEmpty();
            assertThat(rule.mutate(ds, new Warnings())).isFalse();
            assertThat(ds.containers().get(0).has("env")).isFalse();
        }
    }

    @Test
    void existingNodeNameEnvIsKept() {
        Workload ds = daemonSet("{'name':'kube-proxy','image':'kp:1','command':['kube-proxy'],"
                + "'env':[{'name':'NODE_NAME','valueFrom':{'fieldRef':{'fieldPath':'spec.nodeName'}}}]}");
        rule.mutate(ds, new Warnings());
        assertThat(ds.containers().get(0).get("env")).hasSize(1);
    }

    /** Defect 8 of issue 10: a literal NODE_NAME would make every node claim one name. */
    @Test
    void literalNodeNameIsNeverReferencedNorChanged() {
        Workload ds = daemonSet("{'name':'kube-proxy','image':'kp:1','command':['kube-proxy'],"
                + "'env':[{'name':'NODE_NAME','value':'builder-01'}]}");
        assertThat(rule.check(ds)).extracting(Finding::fix)
                .containsExactly("add --hostname-override=$(HEADSTART_NODE_NAME) and a HEADSTART_NODE_NAME env var "
                        + "from fieldRef spec.nodeName");
        assertThat(rule.mutate(ds, new Warnings())).isTrue();
        ObjectNode c = ds.containers().get(0);
        assertThat(c.get("command")).isEqualTo(tree("['kube-proxy','--hostname-override=$(HEADSTART_NODE_NAME)']"));
        assertThat(c.get("env")).isEqualTo(tree("[{'name':'NODE_NAME','value':'builder-01'},{'name':'HEADSTART_NODE_NAME',"
                + "'valueFrom':{'fieldRef':{'apiVersion':'v1','fieldPath':'spec.nodeName'}}}]"));
        assertThat(rule.check(ds)).isEmpty();
        assertThat(rule.mutate(ds, new Warnings())).isFalse();
    }

    @Test
    void nodeNameFromAnotherFieldIsNotTheNodeName() {
        Workload ds = daemonSet("{'name':'kube-proxy','image':'kp:1','command':['kube-proxy'],"
                + "'env':[{'name':'NODE_NAME','valueFrom':{'fieldRef':{'fieldPath':'status.hostIP'}}}]}");
        rule.mutate(ds, new Warnings());
        assertThat(ds.containers().get(0).at("/command/1").asText()).isEqualTo("--hostname-override=$(HEADSTART_NODE_NAME)");
        assertThat(ds.containers().get(0).at("/env/0/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("status.hostIP");
    }

    @Test
    void anExistingFieldRefVariableOfAnyNameIsReused() {
        Workload ds = daemonSet("{'name':'kube-proxy','image':'kp:1','command':['kube-proxy'],"
                + "'env':[{'name':'MY_NODE','valueFrom':{'fieldRef':{'fieldPath':'spec.nodeName'}}}]}");
        rule.mutate(ds, new Warnings());
        ObjectNode c = ds.containers().get(0);
        assertThat(c.at("/command/1").asText()).isEqualTo("--hostname-override=$(MY_NODE)");
        assertThat(c.get("env")).hasSize(1);
    }

    /** The later of two entries with one name is what the kubelet uses. */
    @Test
    void theWinningDefinitionDecides() {
        Workload ds = daemonSet("{'name':'kube-proxy','image':'kp:1','command':['kube-proxy'],"
                + "'env':[{'name':'NODE_NAME','valueFrom':{'fieldRef':{'fieldPath':'spec.nodeName'}}},"
                + "{'name':'NODE_NAME','value':'builder-01'}]}");
        rule.mutate(ds, new Warnings());
        assertThat(ds.containers().get(0).at("/command/1").asText()).isEqualTo("--hostname-override=$(HEADSTART_NODE_NAME)");
    }

    /** envFrom may define NODE_NAME; an env entry would silently override it, so Headstart uses its own name. */
    @Test
    void envFromMakesNodeNameUnsafeToAdd() {
        Workload ds = daemonSet("{'name':'kube-proxy','image':'kp:1','command':['kube-proxy'],"
                + "'envFrom':[{'configMapRef':{'name':'proxy-env'}}]}");
        rule.mutate(ds, new Warnings());
        ObjectNode c = ds.containers().get(0);
        assertThat(c.at("/command/1").asText()).isEqualTo("--hostname-override=$(HEADSTART_NODE_NAME)");
        assertThat(c.at("/env/0/name").asText()).isEqualTo("HEADSTART_NODE_NAME");
    }

    @Test
    void bothNamesTakenLeavesTheContainerAloneWithAWarning() {
        Workload ds = daemonSet("{'name':'kube-proxy','image':'kp:1','command':['kube-proxy'],"
                + "'env':[{'name':'NODE_NAME','value':'a'},{'name':'HEADSTART_NODE_NAME','value':'b'}]}");
        ObjectNode before = ds.root().deepCopy();
        Warnings warnings = new Warnings();
        assertThat(rule.mutate(ds, warnings)).isFalse();
        assertThat(ds.root()).isEqualTo(before);
        assertThat(warnings.messages()).singleElement().asString()
                .startsWith("headstart: kube-proxy-hostname: container kube-proxy: NODE_NAME and HEADSTART_NODE_NAME");
    }

    @Test
    void envOfTheWrongShapeIsNotReplaced() {
        Workload ds = daemonSet("{'name':'kube-proxy','image':'kp:1','command':['kube-proxy'],'env':'NODE_NAME=x'}");
        Warnings warnings = new Warnings();
        assertThat(rule.mutate(ds, warnings)).isFalse();
        assertThat(ds.containers().get(0).get("env").asText()).isEqualTo("NODE_NAME=x");
        assertThat(warnings.messages()).hasSize(1);
    }

    @Test
    void otherDaemonSetsAreNotKubeProxy() {
        assertThat(rule.appliesTo(daemonSet("{'name':'agent','image':'datadog/agent:7','command':['agent','run']}"))).isFalse();
        assertThat(rule.appliesTo(daemonSet("{'name':'kube-proxy-helper','image':'busybox:1','command':['sh']}"))).isFalse();
        assertThat(rule.appliesTo(RuleTesting.pod("[{'name':'kube-proxy','image':'kube-proxy:1'}]"))).isFalse();
    }
}
