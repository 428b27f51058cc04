package dev.headstart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.json.Json;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@EnableKubernetesMockClient(crud = true)
class HeadroomCommandTest {

    /** The CLI runs with its user's kubeconfig, not the ServiceAccount: its requests are recorded but checked by no role. */
    KubernetesMockServer server;
    KubernetesClient client;

    record Run(int exit, String out, String err) {
        JsonNode lastLineJson() throws Exception {
            String[] lines = out.strip().split("\n");
            return Json.MAPPER.readTree(lines[lines.length - 1]);
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new HeadstartCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void plansOfflineFromNodesCoresAndParams() throws Exception {
        Run run = run("headroom", "plan", "--nodes", "4", "--cores", "13", "--params",
                "{\"linear\":{\"coresPerReplica\":2,\"nodesPerReplica\":1,\"min\":1,\"max\":100,"
                        + "\"preventSinglePointFailure\":true}}", "-o", "json");
        assertThat(run.exit()).isZero();
        JsonNode json = run.lastLineJson();
        assertThat(json.get("replicas").asInt()).isEqualTo(7);
        assertThat(json.get("nodes").asInt()).isEqualTo(4);
        assertThat(json.get("cores").asInt()).isEqualTo(13);
        assertThat(json.get("mode").asText()).isEqualTo("linear");
        assertThat(json.get("fromCores").asInt()).isEqualTo(7);
        assertThat(json.get("fromNodes").asInt()).isEqualTo(4);
    }

    @Test
    void humanReadableByDefaultAndParamsFromAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("params.json");
        Files.writeString(file, "{\"ladder\":{\"coresToReplicas\":[[1,1],[64,3],[512,5]],\"nodesToReplicas\":[[1,1],[2,2]]}}");
        Run run = run("headroom", "plan", "--nodes", "100", "--cores", "400", "--params-file", file.toString());
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("mode:       ladder").contains("replicas:   3").doesNotContain("{\"replicas\"");
    }

    @Test
    void badParamsExitTwoWithOneLine() {
        Run run = run("headroom", "plan", "--nodes", "3", "--cores", "12", "--params", "{\"linear\":{\"min\":1}}");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo(
                "headstart: invalid headroom params: linear needs coresPerReplica or nodesPerReplica greater than 0");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void countsTheLiveClusterLikeTheControllerWithTheParamsInItsConfigMap() throws Exception {
        client.nodes().resource(node("a", "4", false)).create();
        client.nodes().resource(node("b", "4", false)).create();
        client.nodes().resource(node("warming", "4", true)).create();
        client.configMaps().inNamespace("headstart-system").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("headstart-headroom").withNamespace("headstart-system").endMetadata()
                .withData(Map.of("params", "{\"linear\":{\"coresPerReplica\":1}}")).build()).create();
        Map<String, String> properties = Map.of("kubernetes.master", client.getMasterUrl().toString(),
                "kubernetes.trust.certificates", "true", "kubernetes.auth.tryKubeConfig", "false",
                "kubernetes.auth.tryServiceAccount", "false");
        properties.forEach(System::setProperty);
        try {
            Run run = run("headroom", "plan", "-o", "json");
            assertThat(run.exit()).as(run.err()).isZero();
            JsonNode json = run.lastLineJson();
            assertThat(json.get("nodes").asInt()).isEqualTo(2);
            assertThat(json.get("cores").asInt()).isEqualTo(8);
            assertThat(json.get("replicas").asInt()).isEqualTo(8);
            assertThat(run.out()).contains("ConfigMap headstart-system/headstart-headroom");
        } finally {
            properties.keySet().forEach(System::clearProperty);
        }
    }

    /** Issue 25: every pool from the live cluster; with -o json the last line is the pools object. */
    @Test
    void plansEveryPoolOfTheLiveClusterWithItsZones() throws Exception {
        String[] zones = {"eu-west-1a", "eu-west-1b", "eu-west-1c"};
        for (int i = 0; i < 12; i++) {
            var spot = node("spot-" + i, "8", false);
            spot.getMetadata().getLabels().put("node-group", "spot");
            spot.getMetadata().getLabels().put("topology.kubernetes.io/zone", zones[i % 3]);
            client.nodes().resource(spot).create();
        }
        var fargate = node("fargate-1", "2", false);
        fargate.getMetadata().getLabels().put("node-group", "spot");
        fargate.getMetadata().getLabels().put("eks.amazonaws.com/compute-type", "fargate");
        client.nodes().resource(fargate).create();
        client.configMaps().inNamespace("headstart-system").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("headstart-headroom").withNamespace("headstart-system").endMetadata()
                .withData(Map.of("params", "{\"pools\":[{\"name\":\"spot\",\"nodeSelector\":{\"node-group\":\"spot\"},"
                        + "\"linear\":{\"nodesPerReplica\":3},\"shape\":{\"cpu\":\"2\"},"
                        + "\"zones\":{\"spread\":true,\"minPerZone\":1}}]}")).build()).create();
        Map<String, String> properties = Map.of("kubernetes.master", client.getMasterUrl().toString(),
                "kubernetes.trust.certificates", "true", "kubernetes.auth.tryKubeConfig", "false",
                "kubernetes.auth.tryServiceAccount", "false");
        properties.forEach(System::setProperty);
        try {
            Run run = run("headroom", "plan", "-o", "json");
            assertThat(run.exit()).as(run.err()).isZero();
            String[] lines = run.out().strip().split("\n");
            assertThat(lines[lines.length - 1]).isEqualTo("{\"pools\":[{\"name\":\"spot\",\"mode\":\"pause-pods\","
                    + "\"nodes\":12,\"cores\":96,\"replicas\":4,"
                    + "\"zones\":{\"eu-west-1a\":2,\"eu-west-1b\":1,\"eu-west-1c\":1},\"window\":null}]}");
            assertThat(run.out()).contains("pool:       spot");
        } finally {
            properties.keySet().forEach(System::clearProperty);
        }
    }

    /** Issue 25, CapacityBuffer mode and shapeFrom: what the controller would keep, from the live cluster. */
    @Test
    void aBufferPoolAndAnAutoPoolPrintModeBufferWhereTheClusterServesCapacityBuffers() throws Exception {
        for (int i = 0; i < 4; i++) {
            var n = node("n-" + i, "8", false);
            n.getMetadata().getLabels().put("node-group", "apps");
            client.nodes().resource(n).create();
        }
        client.apiextensions().v1().customResourceDefinitions().resource(
                dev.headstart.testing.CapacityBufferCrd.definition()).create();
        client.apps().deployments().inNamespace("shop").resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
                .withNewMetadata().withName("web").withNamespace("shop").endMetadata().withNewSpec().withNewTemplate()
                .withNewSpec().addNewContainer().withName("app").withNewResources().addToRequests("cpu", new Quantity("4"))
                .endResources().endContainer().endSpec().endTemplate().endSpec().build()).create();
        String params = "{\"pools\":["
                + "{\"name\":\"web\",\"mode\":\"auto\",\"nodeSelector\":{\"node-group\":\"apps\"},"
                + "\"shapeFrom\":{\"kind\":\"Deployment\",\"namespace\":\"shop\",\"name\":\"web\"},\"percentage\":{\"cpu\":25}},"
                + "{\"name\":\"batch\",\"mode\":\"buffer\",\"nodeSelector\":{\"node-group\":\"apps\"},\"linear\":{\"nodesPerReplica\":2}}]}";
        // The web pool's buffer as the controller keeps it, accepted by the autoscaler.
        client.genericKubernetesResources("autoscaling.x-k8s.io/v1beta1", "CapacityBuffer").inNamespace("headstart-system")
                .resource(new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
                        .withApiVersion("autoscaling.x-k8s.io/v1beta1").withKind("CapacityBuffer")
                        .withNewMetadata().withName("headstart-headroom-web").withNamespace("headstart-system")
                            .addToLabels("app.kubernetes.io/managed-by", "headstart")
                            .addToLabels("headstart.dev/headroom-pool", "web").endMetadata()
                        .addToAdditionalProperties("spec", Map.of("replicas", 2))
                        .addToAdditionalProperties("status", Map.of("conditions", java.util.List.of(Map.of(
                                "type", "ReadyForProvisioning", "status", "True", "reason", "Resolved"))))
                        .build()).create();
        Map<String, String> properties = Map.of("kubernetes.master", client.getMasterUrl().toString(),
                "kubernetes.trust.certificates", "true", "kubernetes.auth.tryKubeConfig", "false",
                "kubernetes.auth.tryServiceAccount", "false");
        properties.forEach(System::setProperty);
        try {
            Run run = run("headroom", "plan", "--params", params, "-o", "json");
            assertThat(run.exit()).as(run.err()).isZero();
            String[] lines = run.out().strip().split("\n");
            // web: 25% of 32 cores in pods of the Deployment's 4 CPU = 2.
            assertThat(lines[lines.length - 1]).isEqualTo("{\"pools\":["
                    + "{\"name\":\"web\",\"mode\":\"buffer\",\"nodes\":4,\"cores\":32,\"replicas\":2,\"zones\":{},\"window\":null},"
                    + "{\"name\":\"batch\",\"mode\":\"buffer\",\"nodes\":4,\"cores\":32,\"replicas\":2,\"zones\":{},\"window\":null}]}");
            // Not (yet) accepted: an auto pool is still held by pause pods, as the controller keeps them.
            client.genericKubernetesResources("autoscaling.x-k8s.io/v1beta1", "CapacityBuffer").inNamespace("headstart-system")
                    .withName("headstart-headroom-web").delete();
            Run pending = run("headroom", "plan", "--params", params, "-o", "json");
            assertThat(pending.lastLineJson().get("pools").get(0).get("mode").asText()).isEqualTo("pause-pods");
            assertThat(pending.err()).contains("has not accepted this pool's buffer");
        } finally {
            properties.keySet().forEach(System::clearProperty);
        }
        // Offline: buffer stays buffer, auto is planned as pause pods and says why; shapeFrom cannot be read.
        Run offline = run("headroom", "plan", "--nodes", "4", "--cores", "32", "--params",
                params.replace("\"percentage\":{\"cpu\":25}", "\"linear\":{\"nodesPerReplica\":1}"), "-o", "json");
        assertThat(offline.exit()).as(offline.err()).isZero();
        assertThat(offline.lastLineJson().get("pools").get(0).get("mode").asText()).isEqualTo("pause-pods");
        assertThat(offline.lastLineJson().get("pools").get(1).get("mode").asText()).isEqualTo("buffer");
        assertThat(offline.err()).contains("mode auto planned as pause pods").contains("read only from the live cluster");
        Run percentage = run("headroom", "plan", "--nodes", "4", "--cores", "32", "--params", params);
        assertThat(percentage.exit()).isEqualTo(2);
        assertThat(percentage.err()).contains("pool web: percentage needs the shape of shapeFrom Deployment shop/web");
    }

    private static io.fabric8.kubernetes.api.model.Node node(String name, String cpu, boolean warming) {
        // kubernetes.io/os: the kubelet labels every node with it; Linux placeholders count only Linux nodes.
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName(name).addToLabels("kubernetes.io/os", "linux")
                .endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus()
                    .addToAllocatable("cpu", new Quantity(cpu))
                    .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus();
        if (warming) {
            node.editSpec().addNewTaint().withKey("headstart.dev/warmup").withValue("true").withEffect("NoSchedule")
                    .endTaint().endSpec();
        }
        return node.build();
    }

    private static final String SPOT_WITH_SCHEDULES = "{\"pools\":[{\"name\":\"spot\",\"nodeSelector\":{\"node-group\":\"spot\"},"
            + "\"linear\":{\"nodesPerReplica\":3},\"shape\":{\"cpu\":\"2\"},\"zones\":{\"spread\":true,\"minPerZone\":1},"
            + "\"schedules\":[{\"name\":\"business-hours\",\"cron\":\"0 8 * * 1-5\",\"duration\":\"10h\","
            + "\"timeZone\":\"Europe/Berlin\",\"min\":6},{\"name\":\"night\",\"cron\":\"0 22 * * *\",\"duration\":\"8h\","
            + "\"timeZone\":\"Europe/Berlin\",\"replicas\":0}]}]}";

    /** Issue 25: -f reads a kubectl dump of nodes (zones from their labels), --at picks the schedule window. */
    @Test
    void plansEveryPoolFromADumpWithZonesAtAGivenTime(@TempDir Path dir) throws Exception {
        String[] zones = {"eu-west-1a", "eu-west-1b", "eu-west-1c"};
        var list = new io.fabric8.kubernetes.api.model.NodeListBuilder();
        for (int i = 0; i < 12; i++) {
            var spot = node("spot-" + i, "8", false);
            spot.getMetadata().getLabels().put("node-group", "spot");
            spot.getMetadata().getLabels().put("topology.kubernetes.io/zone", zones[i % 3]);
            list.addToItems(spot);
        }
        var fargate = node("fargate-1", "2", false);
        fargate.getMetadata().getLabels().put("node-group", "spot");
        fargate.getMetadata().getLabels().put("eks.amazonaws.com/compute-type", "fargate");
        list.addToItems(fargate);
        io.fabric8.kubernetes.api.model.NodeList nodes = list.build();
        nodes.setApiVersion("v1");
        nodes.setKind("List");
        Path dump = dir.resolve("nodes.yaml");
        Files.writeString(dump, io.fabric8.kubernetes.client.utils.Serialization.asYaml(nodes));
        Path params = dir.resolve("params.json");
        Files.writeString(params, SPOT_WITH_SCHEDULES);

        // Monday 09:30 in Berlin: business hours raise 4 to 6.
        Run business = run("headroom", "plan", "-f", dump.toString(), "--params-file", params.toString(),
                "--at", "2026-12-07T09:30:00+01:00", "-o", "json");
        assertThat(business.exit()).as(business.err()).isZero();
        String[] lines = business.out().strip().split("\n");
        assertThat(lines[lines.length - 1]).isEqualTo("{\"pools\":[{\"name\":\"spot\",\"mode\":\"pause-pods\","
                + "\"nodes\":12,\"cores\":96,\"replicas\":6,"
                + "\"zones\":{\"eu-west-1a\":2,\"eu-west-1b\":2,\"eu-west-1c\":2},\"window\":\"business-hours\"}]}");
        assertThat(business.out()).contains("window:     business-hours");

        // Saturday 14:00: no window, the plan itself.
        Run weekend = run("headroom", "plan", "-f", dump.toString(), "--params-file", params.toString(),
                "--at", "2026-12-12T14:00:00+01:00", "-o", "json");
        assertThat(weekend.lastLineJson().get("pools").get(0).get("replicas").asInt()).isEqualTo(4);
        assertThat(weekend.lastLineJson().get("pools").get(0).get("window").isNull()).isTrue();

        // 23:00 in Berlin (22:00Z): the night window replaces the plan with 0 in every zone.
        Run nightFile = run("headroom", "plan", "-f", dir.toString(), "--params-file", params.toString(),
                "--at", "2026-12-07T22:00:00Z", "-o", "json");
        assertThat(nightFile.exit()).as(nightFile.err()).isZero();
        JsonNode pool = nightFile.lastLineJson().get("pools").get(0);
        assertThat(pool.get("replicas").asInt()).isZero();
        assertThat(pool.get("window").asText()).isEqualTo("night");
        assertThat(pool.get("zones").toString()).isEqualTo("{\"eu-west-1a\":0,\"eu-west-1b\":0,\"eu-west-1c\":0}");
    }

    @Test
    void aBadAtOrADumpWithoutNodesIsAOneLineUsageError(@TempDir Path dir) throws Exception {
        Run bad = run("headroom", "plan", "--nodes", "3", "--cores", "12", "--at", "tomorrow");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err().strip()).contains("--at must be an ISO-8601 time").doesNotContain("\n");
        Path empty = dir.resolve("empty.yaml");
        Files.writeString(empty, "apiVersion: v1\nkind: List\nitems: []\n");
        Run none = run("headroom", "plan", "-f", empty.toString());
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("holds no Node");
    }
}
