package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static dev.headstart.rules.RuleTesting.json;
import static dev.headstart.rules.RuleTesting.tree;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 19: a DaemonSet Headstart mutated at CREATE comes back as UPDATEs built from a manifest
 * that never held Headstart's fields. Each case runs through the modelled client-side and
 * server-side apply ({@link ApplyModel}) and the engine as the webhook calls it.
 */
class GitOpsUpdateTest {

    private final RuleEngine engine = RuleSet.engine(RuleSettings.defaults(),
            PriorityClassCatalog.of("headstart-high", new PriorityClassSpec(1000000, "PreemptLowerPriority")));

    private static ObjectNode web(String port, int livenessDelay) {
        return json("{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'name':'agent','namespace':'ops'},"
                + "'spec':{'selector':{'matchLabels':{'app':'agent'}},'template':{'metadata':{'labels':{'app':'agent'}},"
                + "'spec':{'containers':[{'name':'web','image':'agent:1.4.2','imagePullPolicy':'IfNotPresent',"
                + "'ports':[{'name':'" + port + "','containerPort':8080,'protocol':'TCP'}],"
                + "'readinessProbe':{'httpGet':{'path':'/ready','port':'" + port + "','scheme':'HTTP'},'initialDelaySeconds':30,"
                + "'periodSeconds':10,'timeoutSeconds':1,'successThreshold':1,'failureThreshold':3},"
                + "'livenessProbe':{'httpGet':{'path':'/live','port':'" + port + "','scheme':'HTTP'},'initialDelaySeconds':"
                + livenessDelay + ",'periodSeconds':10,'timeoutSeconds':1,'successThreshold':1,'failureThreshold':3}}]}}}}");
    }

    private static JsonNode container(GitOpsCluster cluster, String name) {
        for (JsonNode c : cluster.stored().at("/spec/template/spec/containers")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no container " + name);
    }

    private static long earliestKill(JsonNode container) {
        return (container.at("/startupProbe/failureThreshold").asLong() - 1) * container.at("/startupProbe/periodSeconds").asLong();
    }

    /** Case 1, the port: the owner renames http to mgmt; Headstart's startup probe follows. */
    @Test
    void aRenamedProbePortIsFollowedByHeadstartsStartupProbe() {
        for (boolean serverSide : new boolean[] {false, true}) {
            GitOpsCluster cluster = new GitOpsCluster(engine).create(web("http", 60));
            assertThat(container(cluster, "web").at("/startupProbe/httpGet/port").asText()).isEqualTo("http");
            ObjectNode renamed = web("mgmt", 60);
            if (serverSide) {
                cluster.applyServerSide(renamed);
            } else {
                cluster.applyClientSide(renamed);
            }
            JsonNode web = container(cluster, "web");
            assertThat(web.at("/startupProbe/httpGet")).as("server-side %s", serverSide)
                    .isEqualTo(tree("{'path':'/live','port':'mgmt','scheme':'HTTP'}"));
            assertThat(web.at("/readinessProbe/initialDelaySeconds").asInt()).as("the dropped delay stays dropped").isZero();
            assertThat(web.at("/readinessProbe/httpGet/port").asText()).isEqualTo("mgmt");
        }
    }

    /** Case 1, the budget: liveness initialDelaySeconds 60 → 900; the startup probe allows the 931 s. */
    @Test
    void aLongerLivenessDelayRaisesTheStartupBudget() {
        for (boolean serverSide : new boolean[] {false, true}) {
            GitOpsCluster cluster = new GitOpsCluster(engine).create(web("http", 60));
            assertThat(container(cluster, "web").at("/startupProbe/failureThreshold").asInt()).isEqualTo(301);
            ObjectNode slower = web("http", 900);
            if (serverSide) {
                cluster.applyServerSide(slower);
            } else {
                cluster.applyClientSide(slower);
            }
            JsonNode web = container(cluster, "web");
            assertThat(earliestKill(web)).as("server-side %s", serverSide).isGreaterThanOrEqualTo(931);
            assertThat(web.get("livenessProbe")).isEqualTo(slower.at("/spec/template/spec/containers/0/livenessProbe"));
        }
    }

    /** Case 2: re-applying an unchanged manifest leaves the stored template as it was: no rollout. */
    @Test
    void reapplyingAnUnchangedManifestKeepsTheStoredTemplate() throws IOException {
        ObjectNode awsNode = (ObjectNode) new YAMLMapper().readTree(Path.of("examples/daemonset-aws-node.yaml").toFile());
        RuleEngine withApiWait = RuleSet.engine(RuleSettings.defaults().withApiWait(Set.of("kube-system/aws-node"),
                "registry.example/tools/api-wait:1.0"), PriorityClassCatalog.of("headstart-high",
                new PriorityClassSpec(1000000, "PreemptLowerPriority")));
        for (ObjectNode manifest : new ObjectNode[] {web("http", 60), awsNode}) {
            for (RuleEngine e : new RuleEngine[] {engine, withApiWait}) {
                GitOpsCluster cluster = new GitOpsCluster(e).create(manifest);
                JsonNode created = cluster.template();
                assertThat(created.at("/metadata/annotations").has(Annotations.OWNED)).isTrue();

                cluster.applyClientSide(manifest);
                assertThat(cluster.template()).as("client-side re-apply of %s", manifest.at("/metadata/name")).isEqualTo(created);
                cluster.applyClientSide(manifest);
                assertThat(cluster.template()).isEqualTo(created);

                cluster.applyServerSide(manifest);
                assertThat(cluster.template()).as("server-side re-apply of %s", manifest.at("/metadata/name")).isEqualTo(created);
                cluster.applyServerSide(manifest);
                assertThat(cluster.template()).isEqualTo(created);
                assertThat(cluster.stored().at("/metadata/annotations").has(Annotations.APPLIED)).isTrue();
            }
        }
    }

    /** Case 2 in the example itself: the merge resets the readiness delay to 1; Headstart puts 0 back. */
    @Test
    void theExamplesReadinessDelayResetByTheMergeIsPutBackExactly() throws IOException {
        ObjectNode awsNode = (ObjectNode) new YAMLMapper().readTree(Path.of("examples/daemonset-aws-node.yaml").toFile());
        GitOpsCluster cluster = new GitOpsCluster(engine).create(awsNode);
        JsonNode before = cluster.template();
        ObjectNode merged = ApplyModel.clientSide(ApplyModel.lastApplied(cluster.stored()), awsNode, cluster.stored());
        assertThat(merged.at("/spec/template/spec/containers/0/readinessProbe/initialDelaySeconds").asInt())
                .as("what the three-way merge sends").isEqualTo(1);
        cluster.applyClientSide(awsNode);
        assertThat(cluster.lastMutation().patch()).as("only the delay is put back")
                .containsExactly(tree("{'op':'replace','path':'/spec/template/spec/containers/0/readinessProbe/initialDelaySeconds','value':0}"));
        assertThat(cluster.template()).isEqualTo(before);
    }

    /** An UPDATE outside the template (a label, the update strategy, a GitOps tracking label) gets no patch. */
    @Test
    void changesOutsideTheTemplateGetNoPatch() {
        GitOpsCluster cluster = new GitOpsCluster(engine).create(web("http", 60));
        JsonNode before = cluster.template();
        cluster.edit(ds -> Workload.objectAt(Workload.objectAt(ds, "metadata"), "labels").put("argocd.argoproj.io/instance", "ops"));
        assertThat(cluster.lastMutation().changed()).isFalse();
        cluster.edit(ds -> ((ObjectNode) ds.get("spec")).set("updateStrategy", tree("{'type':'OnDelete'}")));
        assertThat(cluster.lastMutation().changed()).isFalse();
        assertThat(cluster.template()).isEqualTo(before);
    }

    /**
     * A DaemonSet stored before Headstart (or before its namespace opted in) is not mutated by an
     * UPDATE that leaves its template alone: that would roll every pod. The owner's next template
     * change, which rolls the pods anyway, brings the mutation.
     */
    @Test
    void aDaemonSetFromBeforeHeadstartIsMutatedWithTheOwnersNextTemplateChangeOnly() {
        ObjectNode old = web("http", 60);
        GitOpsCluster cluster = new GitOpsCluster(new RuleEngine(java.util.List.of(), Set.of())).create(old);
        GitOpsCluster withHeadstart = new GitOpsCluster(engine);
        // the same stored object, now seen by Headstart
        withHeadstart.create(old);
        ObjectNode stored = cluster.stored();
        Mutation label = engine.mutate(Workload.of(withLabel(stored)).orElseThrow(), Workload.of(stored).orElseThrow());
        assertThat(label.changed()).isFalse();
        ObjectNode newImage = stored.deepCopy();
        ((ObjectNode) newImage.at("/spec/template/spec/containers/0")).put("image", "agent:1.4.3");
        Mutation change = engine.mutate(Workload.of(newImage).orElseThrow(), Workload.of(stored).orElseThrow());
        assertThat(change.changed()).isTrue();
        assertThat(change.mutated().at("/spec/template/spec/containers/0/startupProbe").isObject()).isTrue();
    }

    private static ObjectNode withLabel(ObjectNode object) {
        ObjectNode copy = object.deepCopy();
        Workload.objectAt(Workload.objectAt(copy, "metadata"), "labels").put("team", "ops");
        return copy;
    }

    /** The owner writes their own startup probe: it is theirs, exactly, and Headstart stops claiming it. */
    @Test
    void anOwnersOwnStartupProbeTakesOver() {
        JsonNode own = tree("{'exec':{'command':['/bin/check']},'periodSeconds':5,'failureThreshold':60}");
        for (String how : new String[] {"client-side", "server-side", "edit"}) {
            GitOpsCluster cluster = new GitOpsCluster(engine).create(web("http", 60));
            ObjectNode manifest = web("http", 60);
            ((ObjectNode) manifest.at("/spec/template/spec/containers/0")).set("startupProbe", own);
            switch (how) {
                case "client-side" -> cluster.applyClientSide(manifest);
                case "server-side" -> cluster.applyServerSide(manifest);
                default -> cluster.edit(ds -> ((ObjectNode) ds.at("/spec/template/spec/containers/0")).set("startupProbe", own));
            }
            JsonNode web = container(cluster, "web");
            assertThat(web.get("startupProbe")).as(how).isEqualTo(own);
            assertThat(OwnedFields.read(cluster.stored().at("/spec/template/metadata")).orElseThrow().paths())
                    .as(how).doesNotContain("containers[web].startupProbe");
            // and a later re-apply keeps it
            cluster.applyClientSide(manifest);
            assertThat(container(cluster, "web").get("startupProbe")).as(how).isEqualTo(own);
        }
    }

    /** The owner drops the readiness probe (the startup probe's reason): Headstart's probe goes too. */
    @Test
    void headstartsStartupProbeGoesWhenItsSourceGoes() {
        GitOpsCluster cluster = new GitOpsCluster(engine).create(web("http", 60));
        ObjectNode manifest = web("http", 60);
        ((ObjectNode) manifest.at("/spec/template/spec/containers/0")).remove("readinessProbe");
        cluster.applyClientSide(manifest);
        assertThat(container(cluster, "web").has("startupProbe")).isFalse();
        assertThat(container(cluster, "web").has("readinessProbe")).isFalse();
    }

    /** The owner now sets their own class, pull policy and env: theirs, untouched. */
    @Test
    void ownersChoicesMadeLaterAreTheirs() {
        ObjectNode manifest = web("http", 60);
        ((ObjectNode) manifest.at("/spec/template/spec/containers/0")).put("imagePullPolicy", "Always");
        GitOpsCluster cluster = new GitOpsCluster(engine).create(manifest);
        assertThat(container(cluster, "web").path("imagePullPolicy").asText()).isEqualTo("IfNotPresent");
        assertThat(cluster.stored().at("/spec/template/spec/priorityClassName").asText()).isEqualTo("headstart-high");
        ObjectNode changed = manifest.deepCopy();
        ((ObjectNode) changed.at("/spec/template/spec/containers/0")).put("imagePullPolicy", "Never");
        ((ObjectNode) changed.at("/spec/template/spec")).put("priorityClassName", "tier-2");
        cluster.applyClientSide(changed);
        assertThat(container(cluster, "web").path("imagePullPolicy").asText()).isEqualTo("Never");
        assertThat(cluster.stored().at("/spec/template/spec/priorityClassName").asText()).isEqualTo("tier-2");
        assertThat(OwnedFields.read(cluster.stored().at("/spec/template/metadata")).orElseThrow().paths())
                .doesNotContain("priorityClassName", "containers[web].imagePullPolicy");
    }

    /** Skipping a rule on the template later removes what that rule had added. */
    @Test
    void aSkipAddedLaterRemovesTheRulesFields() {
        GitOpsCluster cluster = new GitOpsCluster(engine).create(web("http", 60));
        ObjectNode manifest = web("http", 60);
        ((ObjectNode) manifest.at("/spec/template/metadata")).putObject("annotations").put(Annotations.SKIP, "startup-probe");
        cluster.applyServerSide(manifest);
        JsonNode web = container(cluster, "web");
        assertThat(web.has("startupProbe")).isFalse();
        assertThat(web.at("/readinessProbe/initialDelaySeconds").asInt()).isEqualTo(30);
    }

    /** kube-proxy's replaced args and added env survive re-applies and follow the owner's new flags. */
    @Test
    void kubeProxyFlagsFollowTheOwnersArgs() {
        ObjectNode manifest = json("{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'name':'kube-proxy','namespace':'kube-system'},"
                + "'spec':{'selector':{'matchLabels':{'k8s-app':'kube-proxy'}},'template':{'metadata':{'labels':{'k8s-app':'kube-proxy'}},"
                + "'spec':{'containers':[{'name':'kube-proxy','image':'registry.k8s.io/kube-proxy:v1.30.0',"
                + "'command':['kube-proxy','--config=/var/lib/kube-proxy/config.conf']}]}}}}");
        GitOpsCluster cluster = new GitOpsCluster(engine).create(manifest);
        JsonNode created = cluster.template();
        assertThat(created.at("/spec/containers/0/command/2").asText()).isEqualTo("--hostname-override=$(NODE_NAME)");
        cluster.applyClientSide(manifest);
        assertThat(cluster.template()).isEqualTo(created);
        cluster.applyServerSide(manifest);
        assertThat(cluster.template()).isEqualTo(created);
        ObjectNode verbose = manifest.deepCopy();
        ((ArrayNode) verbose.at("/spec/template/spec/containers/0/command")).add("--v=4");
        cluster.applyClientSide(verbose);
        assertThat(cluster.template().at("/spec/containers/0/command")).isEqualTo(tree(
                "['kube-proxy','--config=/var/lib/kube-proxy/config.conf','--v=4','--hostname-override=$(NODE_NAME)']"));
        assertThat(cluster.template().at("/spec/containers/0/env")).hasSize(1);
    }

    /** The record names fields, with a hash of what Headstart wrote and the owner's value before. */
    @Test
    void theRecordNamesEachFieldWithTheOwnersValueBefore() {
        GitOpsCluster cluster = new GitOpsCluster(engine).create(web("http", 60));
        JsonNode record = tree(cluster.template().at("/metadata/annotations").path(Annotations.OWNED).asText().replace('"', '\''));
        assertThat(record.fieldNames()).toIterable().containsExactlyInAnyOrder("containers[web].readinessProbe.initialDelaySeconds",
                "containers[web].startupProbe", "priorityClassName");
        assertThat(record.at("/containers[web].readinessProbe.initialDelaySeconds/was").asInt()).isEqualTo(30);
        assertThat(record.at("/containers[web].startupProbe").has("was")).isFalse();
        assertThat(record.at("/priorityClassName/set").asText()).hasSize(16);
    }

    /** A record the owner broke or forged changes nothing it cannot verify. */
    @Test
    void aBrokenRecordIsIgnored() {
        for (String text : new String[] {"not json", "[]", "{'containers[web].livenessProbe':{'set':'x'}}", "{'a..b':{'set':'-'}}"}) {
            ObjectNode ds = web("http", 60);
            ((ObjectNode) ds.at("/spec/template/metadata")).putObject("annotations").put(Annotations.OWNED, text.replace('\'', '"'));
            ObjectNode old = ds.deepCopy();
            ((ObjectNode) ds.at("/spec/template/spec/containers/0")).put("image", "agent:1.4.3");
            Mutation m = engine.mutate(Workload.of(ds).orElseThrow(), Workload.of(old).orElseThrow());
            assertThat(m.mutated().at("/spec/template/spec/containers/0/livenessProbe")).as(text)
                    .isEqualTo(old.at("/spec/template/spec/containers/0/livenessProbe"));
            assertThat(m.mutated().at("/spec/template/spec/containers/0/startupProbe/httpGet/path").asText()).isEqualTo("/live");
        }
    }

    static Map<String, String> none() {
        return Map.of();
    }
}
