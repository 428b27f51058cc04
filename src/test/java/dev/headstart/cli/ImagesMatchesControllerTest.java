package dev.headstart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.cluster.Component;
import dev.headstart.controller.imagecache.ImageCacheDaemonSet;
import dev.headstart.controller.imagecache.ImageCacheMetrics;
import dev.headstart.controller.imagecache.ImageCacheReconciler;
import dev.headstart.controller.imagecache.ImageCacheSettings;
import dev.headstart.controller.imagecache.ImageCacheShards;
import dev.headstart.controller.imagecache.ImageCacheView;
import dev.headstart.controller.informers.SharedInformers;
import dev.headstart.imagecache.CacheMembership;
import dev.headstart.testing.ComponentClient;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.StreamSupport;

import static dev.headstart.cli.ImagesCommandTest.json;
import static dev.headstart.cli.ImagesCommandTest.node;
import static dev.headstart.cli.ImagesCommandTest.texts;
import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 20's nine cases (src/test/resources/images/issue-20.yaml) through both ends of the one
 * engine: {@code headstart images} on the dump, and the controller's reconciler on the mock server
 * holding the same objects with the same settings. The CLI names exactly the DaemonSets (shards
 * included, by name, images and pod-template hash) the reconciler writes, and each node holds in
 * the CLI's plan exactly the images of the DaemonSets its membership labels select; then each
 * case's outcome and the reason the CLI gives for it.
 */
@EnableKubernetesMockClient(crud = true)
class ImagesMatchesControllerTest {

    static final String DUMP = "src/test/resources/images/issue-20.yaml";
    static final String MONO = "ghcr.io/acme/mono/part-";

    KubernetesMockServer server;
    KubernetesClient client;
    KubernetesClient controller;
    ImageCacheReconciler reconciler;

    @AfterEach
    void tearDown() {
        if (reconciler != null) {
            reconciler.stop();
        }
        if (controller != null) {
            controller.close();
        }
    }

    @Test
    void theCliNamesTheDaemonSetsAndNodesTheControllerWritesForTheSameInput() throws Exception {
        JsonNode plan = json(CliRun.of("images", "-f", DUMP, "-o", "json"));

        // the controller, with the settings the CLI read (its debounce shortened), on the same objects
        ImageCacheSettings read = new ImagesCommand().settings(ImagesCommandTest.configWith(Map.of()));
        ImageCacheSettings settings = new ImageCacheSettings(read.noopImage(), read.exclude(), read.warmupTaint(),
                Duration.ofMillis(50), read.sharedNamespace(), read.maxPodsPerNode(), read.nodeCredentialRegistries(),
                read.transientTaintKeys(), read.platforms());
        try (InputStream in = new FileInputStream(DUMP)) {
            for (HasMetadata object : client.load(in).items()) {
                client.resource(object).create();
            }
        }
        controller = ComponentClient.of(Component.CONTROLLER, server, client);
        reconciler = new ImageCacheReconciler(() -> controller, new SharedInformers(() -> controller, 500), settings,
                new ImageCacheView(true), new ImageCacheMetrics(new SimpleMeterRegistry()), true);
        reconciler.start();

        Map<String, String> cliDaemonSets = cliDaemonSets(plan);
        assertThat(cliDaemonSets.keySet()).anyMatch(name -> name.contains("of")); // the monolith's group is sharded
        eventually(Duration.ofSeconds(30), () -> {
            Map<String, String> written = new TreeMap<>();
            for (DaemonSet ds : caches()) {
                written.put(ds.getMetadata().getNamespace() + "/" + ds.getMetadata().getName(),
                        ImageCacheDaemonSet.hashOf(ds) + " " + images(ds));
            }
            assertThat(written).isEqualTo(cliDaemonSets);
            for (Node node : client.nodes().list().getItems()) {
                String name = node.getMetadata().getName();
                assertThat(heldByLabels(node)).as(name).isEqualTo(new TreeSet<>(texts(node(plan, name).get("images"))));
            }
        });

        // as written by the controller: case 6, big-1 carries the busy group's label, no idle one's;
        // case 7, the private image is in the namespaces' DaemonSets, lab's pulling with its secret
        Node big = client.nodes().withName("big-1").get();
        assertThat(heldByLabels(big)).contains("acme/busy:7").doesNotContain("acme/idle-0:1", "acme/nightly:1");
        List<DaemonSet> report = caches().stream().filter(ds -> images(ds).contains("registry.acme.example/report:4")).toList();
        assertThat(report).extracting(ds -> ds.getMetadata().getNamespace()).containsExactlyInAnyOrder("lab", "shop");
        assertThat(report).filteredOn(ds -> ds.getMetadata().getNamespace().equals("lab")).singleElement()
                .satisfies(ds -> assertThat(ds.getSpec().getTemplate().getSpec().getImagePullSecrets())
                        .extracting(r -> r.getName()).containsExactly("acme-pull"));
        // case 1-5: what the controller labels gpu-1, cpu-1, sandbox-1, edge-1 and drain-1 with
        assertThat(heldByLabels(client.nodes().withName("cpu-1").get()))
                .doesNotContain("nvcr.io/nvidia/pytorch:24.05-py3", "acme/crunch:1", "acme/untrusted:1", "acme/edge-agent:3");
        assertThat(heldByLabels(client.nodes().withName("gpu-1").get())).contains("nvcr.io/nvidia/pytorch:24.05-py3");
        assertThat(heldByLabels(client.nodes().withName("sandbox-1").get())).contains("acme/untrusted:1");
        assertThat(heldByLabels(client.nodes().withName("edge-1").get())).contains("acme/edge-agent:3");
        assertThat(heldByLabels(client.nodes().withName("drain-1").get())).allMatch(i -> i.startsWith(MONO));
        assertThat(caches()).flatExtracting(ImagesMatchesControllerTest::images)
                .doesNotContain("mcr.microsoft.com/windows/servercore:ltsc2022");

        // case 9: the shards are each under 16 KiB, and the CLI names the shard holding each image
        List<DaemonSet> mono = caches().stream().filter(ds -> images(ds).stream().anyMatch(i -> i.startsWith(MONO))).toList();
        assertThat(mono).hasSizeGreaterThan(1)
                .allSatisfy(ds -> assertThat(ImageCacheShards.templateBytes(ds)).isLessThan(ImageCacheShards.MAX_TEMPLATE_BYTES));
        for (DaemonSet shard : mono) {
            for (String image : images(shard)) {
                assertThat(holds(node(plan, "cpu-1"), image).get("daemonSet").asText())
                        .isEqualTo(shard.getMetadata().getNamespace() + "/" + shard.getMetadata().getName());
            }
        }
        // case 8: the cache pods tolerate the transient keys whatever the value, and the plan lists warm-1
        assertThat(texts(node(plan, "warm-1").get("images"))).contains("acme/crunch:1");
        for (DaemonSet ds : caches()) {
            List<Toleration> tolerations = ds.getSpec().getTemplate().getSpec().getTolerations();
            assertThat(tolerations).anySatisfy(t -> assertThat(t.getOperator()).isIn("Exists"))
                    .filteredOn(t -> "headstart.dev/warmup".equals(t.getKey()) || "node.kubernetes.io/not-ready".equals(t.getKey()))
                    .allSatisfy(t -> assertThat(t.getOperator()).isEqualTo("Exists"));
        }
    }

    @Test
    void eachCaseOfTheIssueIsPlacedAndExplainedAsTheSchedulerWouldDecide() throws IOException {
        JsonNode plan = json(CliRun.of("images", "-f", DUMP, "-o", "json"));

        // 1. resources: the GPU image only on the GPU node, the 16-CPU image not on the 2-CPU node
        assertThat(where(plan, "nvcr.io/nvidia/pytorch:24.05-py3")).containsExactly("gpu-1");
        assertThat(whyNot(plan, "cpu-1", "nvcr.io/nvidia/pytorch:24.05-py3")).startsWith("insufficient nvidia.com/gpu");
        assertThat(where(plan, "acme/crunch:1")).doesNotContain("cpu-1").contains("warm-1");
        assertThat(whyNot(plan, "cpu-1", "acme/crunch:1")).startsWith("insufficient cpu (pod requests cpu 16, allocatable cpu 2)");
        // 2. RuntimeClass: on the sandbox node only, and the reason names the class
        assertThat(where(plan, "acme/untrusted:1")).containsExactly("sandbox-1");
        assertThat(whyNot(plan, "cpu-1", "acme/untrusted:1")).isEqualTo("nodeSelector sandbox=gvisor not matched (RuntimeClass gvisor)");
        assertThat(group(plan, "acme/untrusted:1").get("runtimeClasses").toString()).isEqualTo("[\"gvisor\"]");
        // 3. spec.os windows: nowhere, and said why
        assertThat(where(plan, "mcr.microsoft.com/windows/servercore:ltsc2022")).isEmpty();
        assertThat(texts(plan.at("/notCached/shop~1Deployment~1win")))
                .containsExactly("spec.os.name windows: cache pods run on Linux nodes only");
        // 4. nodeName: on its NoSchedule-tainted node, nowhere else
        assertThat(where(plan, "acme/edge-agent:3")).containsExactly("edge-1");
        assertThat(whyNot(plan, "cpu-1", "acme/edge-agent:3")).isEqualTo("spec.nodeName is edge-1");
        // 5. cordoned: nothing but what tolerates the unschedulable taint (the monolith tolerates all)
        assertThat(texts(node(plan, "drain-1").get("images"))).allMatch(i -> i.startsWith(MONO));
        assertThat(whyNot(plan, "drain-1", "acme/crunch:1")).isEqualTo("cordoned");
        // 6. the five-replica Deployment is cached on big-1; idle and suspended ones are over the cap there
        assertThat(texts(node(plan, "big-1").get("images"))).contains("acme/busy:7")
                .doesNotContain("acme/idle-0:1", "acme/idle-1:1", "acme/idle-2:1", "acme/nightly:1");
        assertThat(whyNot(plan, "big-1", "acme/idle-0:1")).startsWith("over the cap (3 cache pods; ranked by 0 running pods, 0 autoscaled from zero, 1 idle)");
        assertThat(group(plan, "acme/nightly:1").get("demand").asText()).isEqualTo("0 running pods, 0 autoscaled from zero, 0 idle");
        // 7. the private image is never shared: lab pulls it with its secret, shop without
        List<JsonNode> report = groups(plan, "registry.acme.example/report:4");
        assertThat(report).hasSize(2).noneMatch(g -> g.get("shared").asBoolean());
        assertThat(report).anySatisfy(g -> {
            assertThat(g.get("namespace").asText()).isEqualTo("lab");
            assertThat(texts(g.get("pullSecrets"))).containsExactly("acme-pull");
        });
        assertThat(holds(node(plan, "cpu-1"), "registry.acme.example/report:4").get("pulls").asText())
                .isEqualTo("pull secret acme-pull (namespace lab)");
        // a taint the workload does not tolerate (and that is not transient) keeps it off
        assertThat(whyNot(plan, "gpu-1", "acme/crunch:1")).isEqualTo("taint nvidia.com/gpu=present:NoSchedule not tolerated");
        // 8. the warming, not-ready node gets what an untainted node of its size would
        assertThat(texts(node(plan, "warm-1").get("images"))).contains("acme/crunch:1", "registry.acme.example/report:4");
        // 9. no template lists the nodes a group is kept off: membership labels only (the pinned
        // workload's own nodeName is the one node name, as its pods say)
        assertThat(plan.get("groups")).allSatisfy(g -> assertThat(g.get("affinity").toString()).doesNotContain("NotIn\",\"values\":[\"big-1"));
        assertThat(plan.get("groups")).allSatisfy(g -> assertThat(g.get("nodeSelector").has(CacheMembership.label(g.get("id").asText()))).isTrue());
    }

    @Test
    void theTableNamesEachImagesDaemonSetAndWhyANodeLacksTheRest() {
        CliRun run = CliRun.of("images", "-f", DUMP, "--node", "cpu-1");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out())
                .startsWith("12 cache groups in 15 DaemonSets, at most 3 groups per node\n")
                .contains("\nnode cpu-1  5 cache pods: 9d5c30c8fd, da22993e59\n") // two groups, one in four shards
                .containsPattern("  daemonsets 4 shards in headstart-system: headstart-image-cache-[0-9a-f]{10}-0of4 \\(\\d+\\)")
                .containsPattern("\n  ghcr.io/acme/mono/part-00:1.0 +headstart-system/headstart-image-cache-[0-9a-f]{10}-\\dof4 +"
                        + "no pull secret \\(shared\\)\n")
                .containsPattern("\n  registry.acme.example/report:4 +lab/headstart-image-cache-[0-9a-f]{10} +"
                        + "pull secret acme-pull \\(namespace lab\\)")
                .containsPattern("not here: [0-9a-f]{10} \\(acme/untrusted:1\\): nodeSelector sandbox=gvisor not matched \\(RuntimeClass gvisor\\)")
                .containsPattern("not here: [0-9a-f]{10} \\(acme/edge-agent:3\\): spec.nodeName is edge-1")
                .containsPattern("not here: [0-9a-f]{10} \\(acme/crunch:1\\): insufficient cpu")
                .containsPattern("  runtime    RuntimeClass gvisor ");
    }

    /** namespace/name → "hash images" of every DaemonSet the CLI names. */
    static Map<String, String> cliDaemonSets(JsonNode plan) {
        Map<String, String> named = new TreeMap<>();
        for (JsonNode group : plan.get("groups")) {
            for (JsonNode ds : group.get("daemonSets")) {
                named.put(ds.get("namespace").asText() + "/" + ds.get("name").asText(),
                        ds.get("hash").asText() + " " + texts(ds.get("images")));
            }
        }
        return named;
    }

    List<DaemonSet> caches() {
        return client.apps().daemonSets().inAnyNamespace().withLabel(ImageCacheDaemonSet.NAME_LABEL, ImageCacheDaemonSet.NAME)
                .list().getItems().stream().filter(ImageCacheDaemonSet::isOurs).toList();
    }

    /** The images of the DaemonSets whose membership label the node carries: what its cache pods pull. */
    Set<String> heldByLabels(Node node) {
        Set<String> groups = CacheMembership.groupsOf(node.getMetadata().getLabels());
        Set<String> images = new TreeSet<>();
        caches().stream().filter(ds -> groups.contains(ds.getMetadata().getLabels().get(ImageCacheDaemonSet.GROUP_LABEL)))
                .forEach(ds -> images.addAll(images(ds)));
        return images;
    }

    static List<String> images(DaemonSet ds) {
        return ds.getSpec().getTemplate().getSpec().getContainers().stream().map(c -> c.getImage()).toList();
    }

    static List<String> where(JsonNode plan, String image) {
        return StreamSupport.stream(plan.get("nodes").spliterator(), false)
                .filter(n -> texts(n.get("images")).contains(image)).map(n -> n.get("name").asText()).toList();
    }

    static List<JsonNode> groups(JsonNode plan, String image) {
        return StreamSupport.stream(plan.get("groups").spliterator(), false)
                .filter(g -> texts(g.get("images")).contains(image)).toList();
    }

    static JsonNode group(JsonNode plan, String image) {
        List<JsonNode> found = groups(plan, image);
        assertThat(found).as(image).hasSize(1);
        return found.get(0);
    }

    static JsonNode holds(JsonNode node, String image) {
        return StreamSupport.stream(node.get("holds").spliterator(), false).filter(h -> h.get("image").asText().equals(image))
                .findFirst().orElseThrow(() -> new AssertionError(node.get("name") + " does not hold " + image));
    }

    /** Why the node lacks the (one) group that holds the image. */
    static String whyNot(JsonNode plan, String node, String image) {
        String id = group(plan, image).get("id").asText();
        return StreamSupport.stream(node(plan, node).get("notHere").spliterator(), false)
                .filter(l -> l.get("group").asText().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError(node + " has " + image)).get("reason").asText();
    }
}
