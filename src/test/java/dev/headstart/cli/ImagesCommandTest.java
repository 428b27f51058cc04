package dev.headstart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.imagecache.CachePolicy;
import dev.headstart.json.Json;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code headstart images} on src/test/resources/images/cluster.yaml: GPU, spot and on-demand pools,
 * a warming node, a Windows node, namespaces in and out, two cache pods.
 */
@EnableKubernetesMockClient(crud = true)
class ImagesCommandTest {

    static final String DUMP = "src/test/resources/images/cluster.yaml";
    static final String ECR_REPORT = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/report:1.4";

    KubernetesClient client;
    KubernetesMockServer server;

    static JsonNode json(CliRun run) throws IOException {
        assertThat(run.exitCode()).as(run.err()).isZero();
        return Json.MAPPER.readTree(run.out());
    }

    static JsonNode node(JsonNode plan, String name) {
        return StreamSupport.stream(plan.get("nodes").spliterator(), false).filter(n -> n.get("name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no node " + name));
    }

    static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(v -> texts.add(v.asText()));
        return texts;
    }

    /** What the node's {@code holds} says of the image: its group, DaemonSet and pull secret. */
    static JsonNode holdsOn(JsonNode node, String image) {
        return StreamSupport.stream(node.get("holds").spliterator(), false).filter(h -> h.get("image").asText().equals(image))
                .findFirst().orElseThrow(() -> new AssertionError(node.get("name") + " does not hold " + image));
    }

    static JsonNode groupWith(JsonNode plan, String workload) {
        return StreamSupport.stream(plan.get("groups").spliterator(), false)
                .filter(g -> texts(g.get("workloads")).contains(workload)).findFirst().orElseThrow();
    }

    static JsonNode groupWith(JsonNode plan, String workload, boolean shared) {
        return StreamSupport.stream(plan.get("groups").spliterator(), false)
                .filter(g -> texts(g.get("workloads")).contains(workload) && g.get("shared").asBoolean() == shared)
                .findFirst().orElseThrow();
    }

    @Test
    void eachNodeGetsWhatCanRunThereWithinTheCap() throws IOException {
        CliRun run = CliRun.of("images", "-f", DUMP, "-o", "json");
        JsonNode plan = json(run);
        assertThat(run.err()).isEqualTo("headstart: 6 nodes, 9 workloads (4 namespaces opted in), 2 cache pods read from "
                + DUMP + "\n");

        assertThat(plan.get("maxPodsPerNode").asInt()).isEqualTo(3);
        assertThat(plan.get("groups")).hasSize(7);
        assertThat(texts(node(plan, "gpu-1").get("images"))).containsExactly("fluent/fluent-bit:3.0", "nvcr.io/nvidia/pytorch:24.05-py3");
        for (String spot : List.of("spot-1", "spot-2")) {
            assertThat(texts(node(plan, spot).get("images"))).containsExactly(ECR_REPORT, "fluent/fluent-bit:3.0", "ghcr.io/acme/worker:5.2");
        }
        // od-1: four groups admit it (web's shared group, nginx only, is planned away: cart's holds nginx
        // wherever web can run). Of the other four, search's namespace group ranks last and does not fit.
        assertThat(texts(node(plan, "od-1").get("images"))).containsExactly("fluent/fluent-bit:3.0", "ghcr.io/acme/web:9.1",
                "ghcr.io/acme/web:9.2-rc.1", "nginx:1.27", "postgres:16.4");
        JsonNode shop = groupWith(plan, "shop/Deployment/web", false);
        JsonNode search = groupWith(plan, "shop/Deployment/search");
        assertThat(texts(shop.get("workloads"))).containsExactly("shop/Deployment/web", "shop/Deployment/web-canary");
        assertThat(node(plan, "od-1").get("groups")).hasSize(3);
        assertThat(texts(node(plan, "od-1").get("groups"))).contains(shop.get("id").asText())
                .doesNotContain(search.get("id").asText());
        assertThat(node(plan, "od-1").get("overCap")).hasSize(1);
        assertThat(node(plan, "od-1").at("/overCap/0/group").asText()).isEqualTo(search.get("id").asText());
        assertThat(texts(node(plan, "od-1").at("/overCap/0/images"))).containsExactly("ghcr.io/acme/search:2");
        assertThat(texts(search.get("excludedNodes"))).containsExactly("od-1", "od-warm");
        assertThat(texts(search.get("overCapNodes"))).containsExactly("od-1", "od-warm");
        // web's shared group (nginx only) is needed on no node: cart's group holds nginx wherever web can run
        assertThat(plan.get("groups")).noneMatch(g -> texts(g.get("workloads")).contains("shop/Deployment/web")
                && g.get("shared").asBoolean());
        // the warming node (warm-up and not-ready taints) gets what od-1 gets
        assertThat(node(plan, "od-warm").get("images")).isEqualTo(node(plan, "od-1").get("images"));
        assertThat(node(plan, "win-1").get("images")).isEmpty();
        assertThat(node(plan, "win-1").get("note").asText()).isEqualTo("no cache: not a linux node (kubernetes.io/os=windows)");
        assertThat(plan.get("nodes")).allSatisfy(n -> assertThat(n.get("groups").size()).isLessThanOrEqualTo(3));

        // pull access: ECR through the ServiceAccount's secret is shared; ghcr needs the namespace's secret
        JsonNode report = groupWith(plan, "batch/CronJob/report");
        assertThat(report.get("shared").asBoolean()).isTrue();
        assertThat(report.get("namespace").asText()).isEqualTo("headstart-system");
        assertThat(texts(report.get("images"))).containsExactly(ECR_REPORT);
        JsonNode worker = groupWith(plan, "batch/Deployment/worker");
        assertThat(worker.get("namespace").asText()).isEqualTo("batch");
        assertThat(texts(worker.get("pullSecrets"))).containsExactly("ghcr");
        assertThat(texts(shop.get("pullSecrets"))).containsExactly("ghcr"); // the default ServiceAccount's
        // web pulls nginx with the namespace's secret (cart without): not shared, cached with a secret that pulls it
        assertThat(texts(shop.get("images"))).containsExactly("ghcr.io/acme/web:9.1", "ghcr.io/acme/web:9.2-rc.1", "nginx:1.27");
        assertThat(plan.get("groups")).noneMatch(g -> g.get("shared").asBoolean() && texts(g.get("images")).contains("nginx:1.27"));
        // cart's own nginx group is planned away where web's (with the secret) holds nginx; db's postgres,
        // pulled by no use with a secret, stays shared
        assertThat(groupWith(plan, "shop/StatefulSet/db").get("shared").asBoolean()).isTrue();
        // the same placement: the report's and the worker's DaemonSets go to the same nodes
        assertThat(report.get("affinity")).isEqualTo(worker.get("affinity"));
        assertThat(report.get("constraints").asText()).isEqualTo("affinity capacity in [spot]; tolerates spot=true:NoSchedule");
        assertThat(report.at("/daemonSets/0/name").asText()).isEqualTo("headstart-image-cache-" + report.get("id").asText());
        assertThat(report.get("daemonSets")).hasSize(1); // a small group is one DaemonSet
        assertThat(holdsOn(node(plan, "spot-1"), ECR_REPORT).get("daemonSet").asText())
                .isEqualTo("headstart-system/headstart-image-cache-" + report.get("id").asText());
        assertThat(holdsOn(node(plan, "spot-1"), ECR_REPORT).get("pulls").asText()).isEqualTo("no pull secret (shared)");
        assertThat(report.at("/nodeSelector/kubernetes.io~1os").asText()).isEqualTo("linux");
        assertThat(texts(report.get("nodes"))).containsExactly("spot-1", "spot-2");

        // what is left out: a namespace not opted in, one with the cache switched off, Headstart's own
        assertThat(run.out()).doesNotContain("legacy/old:1").doesNotContain("quiet/q:1").doesNotContain("registry.k8s.io/pause");
    }

    @Test
    void cachePodsSayWhatIsCachedSinceWhenPendingOrFailed() throws IOException {
        JsonNode plan = json(CliRun.of("images", "-f", DUMP, "-o", "json"));
        JsonNode od1 = node(plan, "od-1");
        assertThat(od1.get("cachePods").asInt()).isEqualTo(1);
        assertThat(od1.get("cache").toString()).isEqualTo("[{\"image\":\"fluent/fluent-bit:3.0\",\"state\":\"missing\"},"
                + "{\"image\":\"ghcr.io/acme/web:9.1\",\"state\":\"missing\"},"
                + "{\"image\":\"ghcr.io/acme/web:9.2-rc.1\",\"state\":\"missing\"},"
                + "{\"image\":\"nginx:1.27\",\"state\":\"cached\",\"since\":\"2026-11-21T11:50:07Z\"},"
                + "{\"image\":\"postgres:16.4\",\"state\":\"failed\",\"reason\":\"ImagePullBackOff\","
                + "\"message\":\"Back-off pulling image \\\"postgres:16.4\\\"\"}]");
        assertThat(node(plan, "gpu-1").get("cache").toString()).isEqualTo("[{\"image\":\"fluent/fluent-bit:3.0\",\"state\":\"missing\"},"
                + "{\"image\":\"nvcr.io/nvidia/pytorch:24.05-py3\",\"state\":\"pending\",\"reason\":\"ContainerCreating\"}]");
    }

    @Test
    void tableShowsGroupsAndPerNodeWhatItHolds() {
        CliRun run = CliRun.of("images", "-f", DUMP);
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("7 cache groups in 7 DaemonSets, at most 3 groups per node");
        assertThat(run.out()).contains("  where      affinity capacity in [spot]; tolerates spot=true:NoSchedule\n")
                .contains("  where      tolerates every taint\n")
                .contains("  where      nodeSelector pool=gpu; tolerates nvidia.com/gpu:NoSchedule\n")
                .contains("  pulls      pull secret ghcr (namespace batch): a use pulls its images with a secret, so they are not shared\n")
                .contains("  pulls      no pull secret (shared): every use pulls its images without a secret, or the nodes' credentials do\n")
                .contains("  over cap   od-1, od-warm\n")
                .contains("node win-1  no cache: not a linux node (kubernetes.io/os=windows)\n");
        int od1 = lines.indexOf(lines.stream().filter(l -> l.startsWith("node od-1  3 cache pods (1 found): ")).findFirst().orElseThrow());
        List<String> block = lines.subList(od1 + 1, od1 + 7);
        assertThat(block.get(0)).startsWith("  fluent/fluent-bit:3.0  ").endsWith("  missing: no cache pod on the node holds it");
        assertThat(block.get(1)).startsWith("  ghcr.io/acme/search:2  ").endsWith("  over the cap: not cached here");
        assertThat(block.get(2)).startsWith("  ghcr.io/acme/web:9.1  ").endsWith("  missing: no cache pod on the node holds it");
        assertThat(block.get(3)).startsWith("  ghcr.io/acme/web:9.2-rc.1  ");
        assertThat(block.get(4)).startsWith("  nginx:1.27 ")
                .matches("  nginx:1.27 +shop/headstart-image-cache-[0-9a-f]{10} +cached since 2026-11-21T11:50:07Z");
        assertThat(block.get(5)).startsWith("  postgres:16.4 ")
                .endsWith("  failed: ImagePullBackOff: Back-off pulling image \"postgres:16.4\"");
        assertThat(lines.get(od1 + 7)).isEmpty();
    }

    @Test
    void policyOptionsChangeThePlan() throws IOException {
        JsonNode roomy = json(CliRun.of("images", "-f", DUMP, "-o", "json", "--max-pods-per-node", "4"));
        assertThat(texts(node(roomy, "od-1").get("images"))).contains("ghcr.io/acme/search:2");
        assertThat(node(roomy, "od-1").get("overCap")).isEmpty();

        // without node credentials for ECR, the report's image needs its ServiceAccount's secret: it joins
        // the worker's group (same placement, same namespace), which then pulls with both secrets
        JsonNode noEcr = json(CliRun.of("images", "-f", DUMP, "-o", "json", "--node-credential-registry", "none"));
        JsonNode report = groupWith(noEcr, "batch/CronJob/report");
        assertThat(report.get("namespace").asText()).isEqualTo("batch");
        assertThat(texts(report.get("workloads"))).containsExactly("batch/CronJob/report", "batch/Deployment/worker");
        assertThat(texts(report.get("pullSecrets"))).containsExactly("ecr-cred", "ghcr");

        // a known platform: postgres only on arm64 (none of the on-demand nodes), fluent-bit excluded
        JsonNode arm = json(CliRun.of("images", "-f", DUMP, "-o", "json", "--platform", "postgres:*=arm64",
                "--exclude", "fluent/*"));
        assertThat(texts(node(arm, "od-1").get("images"))).containsExactly("ghcr.io/acme/search:2", "ghcr.io/acme/web:9.1",
                "ghcr.io/acme/web:9.2-rc.1", "nginx:1.27");
        JsonNode postgres = groupWith(arm, "shop/StatefulSet/db");
        assertThat(texts(postgres.get("images"))).containsExactly("postgres:16.4");
        assertThat(postgres.get("constraints").asText()).isEqualTo("arch arm64");
        assertThat(arm.toString()).doesNotContain("fluent-bit");

        // the warm-up taint is the configured one: another key is not transient any more
        JsonNode otherTaint = json(CliRun.of("images", "-f", DUMP, "-o", "json", "--warmup-taint", "warming=yes:NoSchedule"));
        assertThat(texts(node(otherTaint, "od-warm").get("images"))).containsExactly("fluent/fluent-bit:3.0");
    }

    /** The configuration as the controller reads it, these keys on top (unknown keys allowed: the mapping may lag). */
    static SmallRyeConfig configWith(Map<String, String> keys) throws IOException {
        return new SmallRyeConfigBuilder().addDefaultSources().addDiscoveredConverters()
                .withSources(new PropertiesConfigSource(ImagesCommandTest.class.getClassLoader().getResource("application.properties"), 250))
                .withSources(new PropertiesConfigSource(keys, "test", 500))
                .withMapping(HeadstartConfig.class).withValidateUnknown(false).build();
    }

    @Test
    void settingsComeFromTheControllersConfigurationWithFlagsOnTop() throws Exception {
        SmallRyeConfig config = configWith(Map.of(
                "headstart.image-cache.max-pods-per-node", "4",
                "headstart.image-cache.node-credential-registries", "ghcr.io,*.internal",
                "headstart.image-cache.transient-taint-keys", "spot",
                "headstart.image-cache.platforms", "postgres:*=arm64;nvcr.io/*=amd64",
                "headstart.image-cache.exclude", "fluent/*",
                "headstart.warm-pool.taint", "warming=yes:NoSchedule",
                "headstart.controller.namespace", "cache-system"));
        CachePolicy policy = new ImagesCommand().policy(config);
        assertThat(policy.maxPodsPerNode()).isEqualTo(4);
        assertThat(policy.nodeCredentialRegistries()).containsExactly("ghcr.io", "*.internal");
        assertThat(policy.transientTaintKeys()).containsExactly("spot", "warming");
        assertThat(policy.architectures("postgres:16.4")).containsExactly("arm64");
        assertThat(policy.architectures("nvcr.io/nvidia/cuda:12")).containsExactly("amd64");
        assertThat(policy.excluded("fluent/fluent-bit:3.0")).isTrue();
        assertThat(policy.sharedNamespace()).isEqualTo("cache-system");
        assertThat(policy.cacheTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("warming"));

        ImagesCommand flags = new ImagesCommand();
        flags.maxPodsPerNode = 2;
        flags.nodeCredentialRegistries = List.of("none");
        flags.platforms = List.of("redis:*=amd64");
        CachePolicy overridden = flags.policy(config);
        assertThat(overridden.maxPodsPerNode()).isEqualTo(2);
        assertThat(overridden.nodeCredentialRegistries()).isEmpty();
        assertThat(overridden.architectures("redis:7")).containsExactly("amd64");
        assertThat(overridden.architectures("postgres:16.4")).containsExactly("arm64");

        // without settings: the planner's defaults, which are the controller's
        CachePolicy defaults = new ImagesCommand().policy(configWith(Map.of()));
        assertThat(defaults).isEqualTo(CachePolicy.defaults());
        assertThatThrownBy(() -> new ImagesCommand().policy(configWith(Map.of("headstart.image-cache.max-pods-per-node", "0"))))
                .hasMessage("headstart.image-cache.max-pods-per-node must be at least 1, not 0");
    }

    @Test
    void nodeShowsOnlyTheNodesAskedFor() throws IOException {
        JsonNode plan = json(CliRun.of("images", "-f", DUMP, "-o", "json", "--node", "gpu-1,win-1"));
        assertThat(plan.get("nodes")).extracting(n -> n.get("name").asText()).containsExactly("gpu-1", "win-1");
        assertThat(plan.get("groups")).hasSize(7);
        CliRun table = CliRun.of("images", "-f", DUMP, "--node", "od-1");
        assertThat(table.out()).contains("node od-1 ").doesNotContain("node gpu-1 ").doesNotContain("node win-1 ");
        assertOneLineError(CliRun.of("images", "-f", DUMP, "--node", "gpu-9"), "headstart: --node: no node gpu-9 in " + DUMP);
    }

    @Test
    void longNodeListsAreCutAfterTen() {
        StringBuilder yaml = new StringBuilder();
        for (int i = 1; i <= 12; i++) {
            yaml.append("---\napiVersion: v1\nkind: Node\nmetadata: {name: n%02d, labels: {kubernetes.io/os: linux}}\n".formatted(i));
        }
        yaml.append("---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, namespace: x}\n"
                + "spec: {template: {spec: {containers: [{name: a, image: 'a:1'}]}}}\n");
        yaml.append("---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b, namespace: x}\n"
                + "spec: {template: {spec: {containers: [{name: b, image: 'ghcr.io/b:1'}], imagePullSecrets: [{name: s}]}}}\n");
        CliRun run = CliRun.withStdin(yaml.toString(), "images", "-f", "-", "--max-pods-per-node", "1");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("  over cap   n01, n02, n03, n04, n05, n06, n07, n08, n09, n10 and 2 more\n");
    }

    @Test
    void badInputIsOneLineAndExitTwo(@TempDir Path dir) throws IOException {
        assertOneLineError(CliRun.of("images", "-f", DUMP, "-o", "xml"), "headstart: -o must be table or json, not 'xml'");
        assertOneLineError(CliRun.of("images", "-f", DUMP, "--max-pods-per-node", "0"),
                "headstart: --max-pods-per-node must be at least 1, not 0");
        assertOneLineError(CliRun.of("images", "-f", DUMP, "--platform", "postgres"),
                "headstart: a platform entry must look like image-or-prefix*=amd64,arm64, not 'postgres'");
        assertOneLineError(CliRun.of("images", "-f", DUMP, "--warmup-taint", "nokey"),
                "headstart: --warmup-taint: warm-up taint must look like key=value:Effect, got 'nokey'");
        assertOneLineError(CliRun.of("images", "-f", dir.resolve("nope.yaml").toString()),
                "headstart: " + dir.resolve("nope.yaml") + ": no such file or directory");
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "apiVersion: v1\nkind: List\nitems:\n- kind: Node\n  apiVersion: v1\n  metadata: {name: n\n");
        CliRun notYaml = CliRun.of("images", "-f", broken.toString());
        assertThat(notYaml.exitCode()).isEqualTo(2);
        assertThat(notYaml.err()).startsWith("headstart: " + broken + ": not valid YAML").hasLineCount(1);
        Path wrongShape = dir.resolve("wrong.yaml");
        Files.writeString(wrongShape, "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nspec: {taints: not-a-list}\n");
        CliRun shape = CliRun.of("images", "-f", wrongShape.toString());
        assertThat(shape.exitCode()).isEqualTo(2);
        assertThat(shape.err()).startsWith("headstart: cannot read Node n1: ").hasLineCount(1);
        assertOneLineError(CliRun.withStdin("apiVersion: v1\nkind: List\nitems: []\n", "images", "-f", "-"),
                "headstart: no nodes and no workloads in standard input (Deployments, StatefulSets, DaemonSets, CronJobs and Nodes are read)");
    }

    private static void assertOneLineError(CliRun run, String line) {
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).isEqualTo(line + "\n");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void readsTheLiveClusterAsTheDump() throws Exception {
        CliRun fromFile = CliRun.of("images", "-f", DUMP, "-o", "json");
        for (JsonNode document : ManifestReader.read(DUMP, null)) {
            HasMetadata object = client.getKubernetesSerialization().convertValue(document, HasMetadata.class);
            HasMetadata created = client.resource(object).create();
            if (object instanceof Pod pod && pod.getStatus() != null) {
                ((Pod) created).setStatus(pod.getStatus());
                client.resource(created).updateStatus();
            }
        }
        Map<String, String> properties = Map.of("kubernetes.master", client.getMasterUrl().toString(),
                "kubernetes.trust.certificates", "true", "kubernetes.auth.tryKubeConfig", "false",
                "kubernetes.auth.tryServiceAccount", "false");
        properties.forEach(System::setProperty);
        CliRun live;
        try {
            live = CliRun.of("images", "-o", "json");
        } finally {
            properties.keySet().forEach(System::clearProperty);
        }
        assertThat(live.exitCode()).as(live.err()).isZero();
        assertThat(live.err()).startsWith("headstart: 6 nodes, 9 workloads (4 namespaces opted in), 2 cache pods read from cluster ");
        assertThat(Json.MAPPER.readTree(live.out())).isEqualTo(Json.MAPPER.readTree(fromFile.out()));
    }

    @Test
    void aClusterThatDoesNotAnswerIsExitOne() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Map<String, String> properties = Map.of("kubernetes.master", "https://127.0.0.1:" + silent.getLocalPort(),
                    "kubernetes.trust.certificates", "true", "kubernetes.auth.tryKubeConfig", "false",
                    "kubernetes.auth.tryServiceAccount", "false");
            properties.forEach(System::setProperty);
            CliRun run;
            try {
                run = CliRun.of("images", "--timeout", "1s");
            } finally {
                properties.keySet().forEach(System::clearProperty);
            }
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).startsWith("headstart: ").contains("127.0.0.1:" + silent.getLocalPort())
                    .contains("use -f with a kubectl dump to work offline").hasLineCount(1);
            assertThat(run.out()).isEmpty();
        }
    }
}
