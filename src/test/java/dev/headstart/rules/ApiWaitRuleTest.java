package dev.headstart.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.headstart.rules.RuleTesting.workload;
import static org.assertj.core.api.Assertions.assertThat;

class ApiWaitRuleTest {

    private final ApiWaitRule rule = new ApiWaitRule(Set.of("kube-system/aws-node"), "busybox:1.36.1", 5,
            Map.of("cpu", "10m", "memory", "16Mi"), Map.of("memory", "32Mi"));

    private static Workload daemonSet(String namespace, String name, String initContainers) {
        return workload("{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'name':'" + name + "','namespace':'"
                + namespace + "'},'spec':{'template':{'spec':{" + initContainers
                + "'containers':[{'name':'aws-node','image':'cni:1'}]}}}}");
    }

    @Test
    void namedDaemonSetGetsAFirstInitContainerWithRequestsAndAPinnedImage() {
        Workload ds = daemonSet("kube-system", "aws-node", "'initContainers':[{'name':'aws-vpc-cni-init','image':'init:1'}],");
        assertThat(rule.appliesTo(ds)).isTrue();
        assertThat(rule.check(ds)).hasSize(1);
        assertThat(rule.mutate(ds, new Warnings())).isTrue();
        ObjectNode wait = ds.initContainers().get(0);
        assertThat(wait.path("name").asText()).isEqualTo(ApiWaitRule.CONTAINER_NAME);
        assertThat(wait.path("image").asText()).isEqualTo("busybox:1.36.1");
        assertThat(wait.at("/resources/requests/cpu").asText()).isEqualTo("10m");
        assertThat(wait.at("/resources/limits/memory").asText()).isEqualTo("32Mi");
        assertThat(wait.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(ds.initContainers().get(1).path("name").asText()).isEqualTo("aws-vpc-cni-init");
        assertThat(rule.check(ds)).isEmpty();
        assertThat(rule.mutate(ds, new Warnings())).isFalse();
        assertThat(ds.initContainers()).hasSize(2);
    }

    /**
     * Issue 19, case 4: what Pod Security "restricted" requires of a container
     * (staging/src/k8s.io/pod-security-admission/policy: allowPrivilegeEscalation false,
     * capabilities drop ALL, runAsNonRoot, a non-zero runAsUser, seccompProfile RuntimeDefault or
     * Localhost) and requests and limits for both CPU and memory, so a ResourceQuota on
     * limits.cpu admits the pod (pkg/quota/v1/evaluator/core/pods.go).
     */
    @Test
    void theWaitContainerPassesRestrictedPodSecurityAndQuotasOnLimits() {
        ApiWaitRule defaults = (ApiWaitRule) RuleSet.standard(RuleSettings.defaults().withApiWait(Set.of("kube-system/aws-node"),
                "busybox:1.36.1"), PriorityClassCatalog.of("x", new PriorityClassSpec(1, "Never"))).get(3);
        Workload ds = daemonSet("kube-system", "aws-node", "");
        assertThat(defaults.mutate(ds, new Warnings())).isTrue();
        ObjectNode wait = ds.initContainers().get(0);
        ObjectNode security = (ObjectNode) wait.get("securityContext");
        assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(security.at("/capabilities/drop")).containsExactly(RuleTesting.tree("'ALL'"));
        assertThat(security.path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(security.path("runAsUser").asInt()).isPositive();
        assertThat(security.at("/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
        assertThat(security.has("privileged")).isFalse();
        for (String kind : new String[] {"requests", "limits"}) {
            for (String resource : new String[] {"cpu", "memory"}) {
                assertThat(wait.at("/resources/" + kind + "/" + resource).asText()).as(kind + " " + resource).isNotEmpty();
            }
        }
        assertThat(wait.at("/resources/limits/cpu").asText()).isEqualTo("50m");
    }

    /** Issue 19, case 4: validateWindows forbids every Linux security field on a Windows pod; no wait there. */
    @Test
    void windowsPodsGetNoWait() {
        for (String os : new String[] {"'os':{'name':'windows'},", "'nodeSelector':{'kubernetes.io/os':'windows'},"}) {
            Workload ds = workload("{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'name':'aws-node','namespace':'kube-system'},"
                    + "'spec':{'template':{'spec':{" + os + "'containers':[{'name':'aws-node','image':'cni:1'}]}}}}");
            assertThat(rule.appliesTo(ds)).as(os).isFalse();
        }
    }

    /**
     * Issue 19, case 4: kube-proxy and its replacements program the Service IP the wait connects
     * to. Named in configuration: refused with one line. Under another name: recognised by image.
     */
    @Test
    void kubeProxyAndItsReplacementsAreRefused() {
        for (String name : new String[] {"kube-system/kube-proxy", "kube-system/cilium", "calico-system/calico-node"}) {
            RuleSettings settings = RuleSettings.defaults().withApiWait(Set.of("kube-system/aws-node", name), "busybox:1.36.1");
            assertThat(RuleSet.settingsErrors(settings)).as(name).singleElement().asString()
                    .contains(name).contains("would wait forever").doesNotContain("\n");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> RuleSet.standard(settings,
                            PriorityClassCatalog.of("x", new PriorityClassSpec(1, "Never"))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name);
        }
        assertThat(RuleSet.settingsErrors(RuleSettings.defaults().withApiWait(Set.of("kube-system/aws-node"), "b:1"))).isEmpty();
        ApiWaitRule renamed = new ApiWaitRule(Set.of("net/proxy", "net/dataplane", "net/node"), "busybox:1.36.1", 5,
                Map.of("cpu", "10m"), Map.of("cpu", "50m"));
        for (String[] c : new String[][] {{"proxy", "registry.k8s.io/kube-proxy:v1.30.0"},
                {"dataplane", "quay.io/cilium/cilium:v1.16.0@sha256:ab"}, {"node", "docker.io/calico/node:v3.28.0"}}) {
            Workload ds = workload("{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'name':'" + c[0] + "','namespace':'net'},"
                    + "'spec':{'template':{'spec':{'containers':[{'name':'x','image':'" + c[1] + "'}]}}}}");
            assertThat(renamed.appliesTo(ds)).as(c[1]).isFalse();
        }
    }

    @Test
    void createsTheInitContainerListWhenThereIsNone() {
        Workload ds = daemonSet("kube-system", "aws-node", "");
        rule.mutate(ds, new Warnings());
        assertThat(ds.initContainers()).extracting(c -> c.path("name").asText()).containsExactly(ApiWaitRule.CONTAINER_NAME);
    }

    @Test
    void namespaceFromTheAdmissionRequestCountsWhenTheObjectHasNone() {
        Workload ds = Workload.of(RuleTesting.json("{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'name':'aws-node'},"
                + "'spec':{'template':{'spec':{'containers':[]}}}}"), "kube-system").orElseThrow();
        assertThat(rule.appliesTo(ds)).isTrue();
    }

    @Test
    void inertUnlessBothTheDaemonSetsAndTheImageAreNamed() {
        Map<String, String> requests = Map.of("cpu", "10m");
        Workload awsNode = daemonSet("kube-system", "aws-node", "");
        assertThat(new ApiWaitRule(Set.of(), "mirror.example.com/busybox:1.36.1", 5, requests, Map.of()).appliesTo(awsNode)).isFalse();
        assertThat(new ApiWaitRule(Set.of("kube-system/aws-node"), "", 5, requests, Map.of()).appliesTo(awsNode)).isFalse();
        assertThat(new ApiWaitRule(Set.of("kube-system/aws-node"), " ", 5, requests, Map.of()).active()).isFalse();
        assertThat(new ApiWaitRule(Set.of("kube-system/aws-node"), "mirror.example.com/busybox:1.36.1", 5, requests, Map.of())
                .appliesTo(awsNode)).isTrue();
    }

    @Test
    void otherDaemonSetsAndPodsAreNotTouched() {
        assertThat(rule.appliesTo(daemonSet("default", "aws-node", ""))).isFalse();
        assertThat(rule.appliesTo(daemonSet("kube-system", "other", ""))).isFalse();
        assertThat(rule.appliesTo(RuleTesting.pod("[]"))).isFalse();
    }

    /** The script itself, run by a real shell against a real listening socket (needs sh and nc). */
    @Test
    void scriptExitsNonZeroWithoutTheServiceVariablesAndZeroWhenTheApiAnswers() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(onPath("nc"), "missing tool: nc (apt-get install netcat-openbsd)");
        assertThat(run(Map.of())).isEqualTo(1);
        try (var server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            assertThat(run(Map.of("KUBERNETES_SERVICE_HOST", "127.0.0.1",
                    "KUBERNETES_SERVICE_PORT", String.valueOf(server.getLocalPort())))).isZero();
        }
    }

    private int run(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", rule.script()).redirectErrorStream(true);
        pb.environment().remove("KUBERNETES_SERVICE_HOST");
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
