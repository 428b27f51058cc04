package dev.headstart.controller.imagecache;

import dev.headstart.testing.ApiRequestRecorder;
import dev.headstart.cluster.Component;
import dev.headstart.controller.informers.SharedInformers;
import dev.headstart.imagecache.CacheMembership;
import dev.headstart.report.PolicyReportWriter;
import dev.headstart.testing.ComponentClient;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.FileInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

import static dev.headstart.controller.imagecache.ImageCacheFixtures.SETTINGS;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.running;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.spec;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.waiting;
import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/** The image cache following workloads, nodes and cache pods, against the fabric8 mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class ImageCacheReconcilerTest {

    static final Duration WAIT = Duration.ofSeconds(20);
    static final String SHARED = "headstart-system";

    KubernetesMockServer server;
    /** Fixtures; the code under test gets {@link #controller}, a client that identifies as the controller. */
    KubernetesClient client;
    private KubernetesClient controller;
    SimpleMeterRegistry registry;
    ImageCacheView view;
    ImageCacheReconciler reconciler;

    @BeforeEach
    void setUp() {
        controller = ComponentClient.of(Component.CONTROLLER, server, client);
    }

    @AfterEach
    void tearDown() {
        if (reconciler != null) {
            reconciler.stop();
        }
        controller.close();
    }

    ImageCacheReconciler start(ImageCacheSettings settings) {
        registry = new SimpleMeterRegistry();
        view = new ImageCacheView(true);
        reconciler = new ImageCacheReconciler(() -> controller, new SharedInformers(() -> controller, 500), settings,
                view, new ImageCacheMetrics(registry), true);
        reconciler.start();
        return reconciler;
    }

    void namespace(String name, boolean optedIn) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
                .withLabels(optedIn ? Map.of("headstart.dev/inject", "enabled") : Map.of("team", "x")).endMetadata()
                .build()).createOr(r -> r.update());
    }

    void node(String name, Map<String, String> labels, Taint... taints) {
        Map<String, String> all = new LinkedHashMap<>(Map.of("kubernetes.io/os", "linux", "kubernetes.io/arch", "amd64"));
        all.putAll(labels);
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).withLabels(all).endMetadata()
                .withNewSpec().withTaints(taints).endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("True")
                    .withLastHeartbeatTime("2026-11-27T10:00:00Z").endCondition().endStatus()
                .build()).create();
    }

    Deployment deployment(String namespace, String name, PodSpec pod) {
        return client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", name).endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata().withSpec(pod).endTemplate()
                .endSpec().build()).create();
    }

    static PodSpec on(Map<String, String> selector, List<String> images) {
        return new PodSpecBuilder(spec(images, List.of(), List.of(), List.of())).withNodeSelector(selector).build();
    }

    /** Headstart's cache DaemonSets in the namespace. */
    List<DaemonSet> caches(String namespace) {
        return client.apps().daemonSets().inNamespace(namespace).withLabel("app.kubernetes.io/name", "headstart-image-cache")
                .list().getItems().stream().filter(ImageCacheDaemonSet::isOurs).toList();
    }

    List<DaemonSet> allCaches() {
        return client.apps().daemonSets().inAnyNamespace().withLabel("app.kubernetes.io/name", "headstart-image-cache")
                .list().getItems().stream().filter(ImageCacheDaemonSet::isOurs).toList();
    }

    static List<String> images(DaemonSet ds) {
        return ds.getSpec().getTemplate().getSpec().getContainers().stream().map(Container::getImage).toList();
    }

    /** Every image held by a namespace's caches, sorted. */
    List<String> cachedIn(String namespace) {
        return caches(namespace).stream().flatMap(ds -> images(ds).stream()).sorted().toList();
    }

    DaemonSet holding(String image) {
        return allCaches().stream().filter(ds -> images(ds).contains(image)).findFirst().orElse(null);
    }

    List<String> imagesFor(String node) {
        return view.current().map(s -> s.plan().imagesFor(node)).orElse(List.of()).stream().sorted().toList();
    }

    /** The cache pod the DaemonSet controller would run on the node, with the kubelet's container statuses. */
    Pod cachePod(DaemonSet ds, String node, Function<Integer, ContainerStatus> status) {
        String name = ds.getMetadata().getName() + "-" + node;
        Pod pod = client.pods().inNamespace(ds.getMetadata().getNamespace()).resource(new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(ds.getMetadata().getNamespace())
                    .withLabels(ds.getSpec().getTemplate().getMetadata().getLabels())
                    .withAnnotations(ds.getSpec().getTemplate().getMetadata().getAnnotations())
                .endMetadata()
                .withSpec(new PodSpecBuilder(ds.getSpec().getTemplate().getSpec()).withNodeName(node).build())
                .build()).createOr(r -> r.update());
        return setStatuses(pod, status);
    }

    Pod setStatuses(Pod pod, Function<Integer, ContainerStatus> status) {
        List<ContainerStatus> statuses = new ArrayList<>();
        for (int i = 0; i < pod.getSpec().getContainers().size(); i++) {
            statuses.add(status.apply(i));
        }
        pod.setStatus(new PodStatusBuilder().withPhase("Running").withContainerStatuses(statuses).build());
        return client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).updateStatus();
    }

    static String group(DaemonSet ds) {
        return ds.getMetadata().getLabels().get(ImageCacheDaemonSet.GROUP_LABEL);
    }

    /** The cache groups a node's membership labels name. */
    java.util.Set<String> membership(String node) {
        return CacheMembership.groupsOf(client.nodes().withName(node).get().getMetadata().getLabels());
    }

    double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    @Test
    void onlyOptedInNamespacesAndFollowingTheLabel() {
        namespace("shop", true);
        namespace("other", false);
        node("n1", Map.of());
        deployment("shop", "web", spec(List.of("shop/web:1.0"), List.of("shop/migrate:1.0"), List.of(), List.of()));
        deployment("other", "api", spec(List.of("other/api:1.0"), List.of(), List.of(), List.of()));
        start(SETTINGS);

        // One shared DaemonSet in Headstart's namespace holds the public images of every opted-in namespace.
        eventually(WAIT, () -> assertThat(cachedIn(SHARED)).containsExactly("shop/migrate:1.0", "shop/web:1.0"));
        assertThat(caches("shop")).isEmpty();
        assertThat(caches("other")).isEmpty();

        namespace("other", true);
        eventually(WAIT, () -> assertThat(cachedIn(SHARED)).containsExactly("other/api:1.0", "shop/migrate:1.0", "shop/web:1.0"));
        assertThat(caches(SHARED)).hasSize(1);

        namespace("shop", false);
        eventually(WAIT, () -> assertThat(cachedIn(SHARED)).containsExactly("other/api:1.0"));

        // Its own DaemonSets' images (busybox) never feed back into the list.
        assertThat(cachedIn(SHARED)).doesNotContain("busybox:1.36.1-musl");
        // The pass publishes its plan after writing the DaemonSets: wait for it too.
        eventually(WAIT, () -> assertThat(imagesFor("n1")).containsExactly("other/api:1.0"));
    }

    @Test
    void aWorkloadMovingBetweenPoolsTakesItsImagesAlong() {
        namespace("shop", true);
        node("g1", Map.of("pool", "gpu"));
        node("c1", Map.of("pool", "cpu"));
        deployment("shop", "web", on(Map.of("pool", "cpu"), List.of("web:1")));
        deployment("shop", "train", on(Map.of("pool", "gpu"), List.of("train:1")));
        start(SETTINGS);

        eventually(WAIT, () -> {
            assertThat(caches(SHARED)).hasSize(2);
            assertThat(images(holding("web:1"))).containsExactly("web:1");
            assertThat(holding("web:1").getSpec().getTemplate().getSpec().getNodeSelector()).containsEntry("pool", "cpu");
            assertThat(images(holding("train:1"))).containsExactly("train:1");
            assertThat(holding("train:1").getSpec().getTemplate().getSpec().getNodeSelector()).containsEntry("pool", "gpu");
        });
        eventually(WAIT, () -> { // published after the DaemonSets are written
            assertThat(imagesFor("g1")).containsExactly("train:1");
            assertThat(imagesFor("c1")).containsExactly("web:1");
        });

        // The training job moves to the CPU pool: its image goes with it, the GPU pool's cache goes.
        client.apps().deployments().inNamespace("shop").withName("train").edit(d -> new DeploymentBuilder(d)
                .editSpec().editTemplate().editSpec().withNodeSelector(Map.of("pool", "cpu")).endSpec().endTemplate()
                .endSpec().build());
        eventually(WAIT, () -> {
            assertThat(caches(SHARED)).singleElement().satisfies(ds -> {
                assertThat(images(ds)).containsExactly("train:1", "web:1");
                assertThat(ds.getSpec().getTemplate().getSpec().getNodeSelector()).containsEntry("pool", "cpu");
            });
            assertThat(imagesFor("g1")).isEmpty();
            assertThat(imagesFor("c1")).containsExactly("train:1", "web:1");
        });
    }

    @Test
    void aPullSecretImageGoesToItsNamespacePublicOnesToTheSharedCache() {
        namespace("shop", true);
        node("n1", Map.of());
        client.serviceAccounts().inNamespace("shop").resource(new ServiceAccountBuilder().withNewMetadata()
                .withName("builder").withNamespace("shop").endMetadata().addNewImagePullSecret("sa-regcred").build()).create();
        deployment("shop", "web", spec(List.of("nginx:1.27"), List.of(), List.of(), List.of()));
        deployment("shop", "api", spec(List.of("private.example.com/api:1",
                "123456789012.dkr.ecr.us-east-1.amazonaws.com/sidecar:1"), List.of(), List.of("regcred"), List.of()));
        deployment("shop", "worker", new PodSpecBuilder(spec(List.of("private.example.com/worker:1"), List.of(),
                List.of(), List.of())).withServiceAccountName("builder").build());
        start(SETTINGS);

        eventually(WAIT, () -> {
            // ECR is pulled with the node's own credentials: shared, like the public image.
            assertThat(cachedIn(SHARED)).containsExactly("123456789012.dkr.ecr.us-east-1.amazonaws.com/sidecar:1", "nginx:1.27");
            assertThat(cachedIn("shop")).containsExactly("private.example.com/api:1", "private.example.com/worker:1");
        });
        assertThat(caches(SHARED)).allSatisfy(ds -> assertThat(ds.getSpec().getTemplate().getSpec().getImagePullSecrets()).isEmpty());
        assertThat(secretsOf(holding("private.example.com/api:1"))).contains("regcred");
        // The ServiceAccount's pull secret, which the ServiceAccount admission plugin gives the worker's pods.
        assertThat(secretsOf(holding("private.example.com/worker:1"))).contains("sa-regcred");
    }

    static List<String> secretsOf(DaemonSet ds) {
        return ds.getSpec().getTemplate().getSpec().getImagePullSecrets().stream().map(r -> r.getName()).toList();
    }

    @Test
    void aNodeWithEveryKindOfTaintCachesOnlyWhatToleratesItsHardTaints() {
        namespace("shop", true);
        node("t1", Map.of(),
                new Taint("NoSchedule", "dedicated", null, "gpu"),
                new Taint("NoExecute", "maintenance", null, null),
                new Taint("PreferNoSchedule", "spot", null, "true"),
                new Taint("NoExecute", "node.kubernetes.io/unreachable", null, null),
                new Taint("NoSchedule", "headstart.dev/warmup", null, "true"));
        node("p1", Map.of());
        List<Toleration> tolerations = List.of(
                new TolerationBuilder().withKey("dedicated").withOperator("Equal").withValue("gpu").withEffect("NoSchedule").build(),
                new TolerationBuilder().withKey("maintenance").withOperator("Exists").withEffect("NoExecute").build());
        deployment("shop", "tolerant", spec(List.of("tolerant:1"), List.of(), List.of(), tolerations));
        deployment("shop", "plain", spec(List.of("plain:1"), List.of(), List.of(), List.of()));
        deployment("shop", "half", spec(List.of("half:1"), List.of(), List.of(), tolerations.subList(0, 1)));
        start(SETTINGS);

        // PreferNoSchedule, the transient unreachable taint and the warm-up taint never keep a cache off.
        eventually(WAIT, () -> assertThat(imagesFor("t1")).containsExactly("tolerant:1"));
        assertThat(imagesFor("p1")).containsExactly("half:1", "plain:1", "tolerant:1");
        eventually(WAIT, () -> assertThat(holding("tolerant:1")).isNotNull());
        assertThat(holding("tolerant:1").getSpec().getTemplate().getSpec().getTolerations()).extracting(Toleration::getKey)
                .contains("dedicated", "maintenance", "headstart.dev/warmup");
        assertThat(holding("plain:1").getSpec().getTemplate().getSpec().getTolerations()).extracting(Toleration::getKey)
                .doesNotContain("dedicated", "maintenance").contains("headstart.dev/warmup");
    }

    @Test
    void theCapLeavesNodesOutOfTheLowerRankedGroupAndSaysSo() {
        namespace("shop", true);
        node("n1", Map.of());
        deployment("shop", "web", spec(List.of("nginx:1.27"), List.of(), List.of(), List.of()));
        deployment("shop", "api", spec(List.of("private.example.com/api:1"), List.of(), List.of("regcred"), List.of()));
        start(SETTINGS.withMaxPodsPerNode(1));

        eventually(WAIT, () -> {
            assertThat(caches("shop")).singleElement().satisfies(ds -> assertThat(ds.getSpec().getTemplate().getSpec()
                    .getNodeSelector()).containsEntry(CacheMembership.label(group(ds)), "true"));
            assertThat(gauge("headstart.image.cache.over.cap.nodes")).isEqualTo(1.0);
            // the node carries the label of the group that fits, not of the one left out
            assertThat(membership("n1")).containsExactly(group(caches(SHARED).get(0)));
        });
        // Two running pods each: the shared group ranks first (then id) and keeps the node.
        assertThat(imagesFor("n1")).containsExactly("nginx:1.27");
    }

    @Test
    void writesOnlyOnChangeAndIgnoresHeartbeats() throws Exception {
        namespace("shop", true);
        node("n1", Map.of());
        deployment("shop", "web", spec(List.of("shop/web:1.0", "envoy:1.30"), List.of(), List.of(), List.of()));
        start(SETTINGS);
        eventually(WAIT, () -> assertThat(cachedIn(SHARED)).containsExactly("envoy:1.30", "shop/web:1.0"));

        // A deploy changes one image: the DaemonSet follows.
        client.apps().deployments().inNamespace("shop").withName("web").edit(d -> new DeploymentBuilder(d)
                .editSpec().editTemplate().editSpec().editContainer(0).withImage("shop/web:1.1").endContainer()
                .endSpec().endTemplate().endSpec().build());
        eventually(WAIT, () -> assertThat(cachedIn(SHARED)).containsExactly("envoy:1.30", "shop/web:1.1"));
        String version = caches(SHARED).get(0).getMetadata().getResourceVersion();
        eventually(WAIT, () -> assertThat(reconciler.writes()).isEqualTo(2));

        // A change that leaves the images alone (a scale, another workload with known images): a plan, no write.
        long plans = reconciler.plans();
        client.apps().deployments().inNamespace("shop").withName("web").edit(d -> new DeploymentBuilder(d)
                .editSpec().withReplicas(5).endSpec().build());
        deployment("shop", "web-canary", spec(List.of("shop/web:1.1"), List.of(), List.of(), List.of()));
        eventually(WAIT, () -> assertThat(reconciler.plans()).isGreaterThan(plans));
        // Both changes planned, not just the first (two watch events may make two passes): otherwise
        // the canary's pass could land after "settled" below and look like a pass for a heartbeat.
        eventually(WAIT, () -> assertThat(view.current().orElseThrow().plan().groups())
                .anySatisfy(g -> assertThat(g.workloads()).anyMatch(w -> w.contains("web-canary"))));
        Thread.sleep(300);
        assertThat(reconciler.writes()).isEqualTo(2);
        assertThat(caches(SHARED).get(0).getMetadata().getResourceVersion()).isEqualTo(version);

        // A node status heartbeat changes neither labels nor taints: no plan at all.
        long settled = reconciler.plans();
        client.nodes().withName("n1").editStatus(n -> new NodeBuilder(n).editStatus().editCondition(0)
                .withLastHeartbeatTime("2026-11-27T10:00:10Z").endCondition().endStatus().build());
        Thread.sleep(300);
        assertThat(reconciler.plans()).isEqualTo(settled);
        // A label change does plan (and still writes nothing: no workload selects on it).
        client.nodes().withName("n1").edit(n -> new NodeBuilder(n).editMetadata().addToLabels("team", "a").endMetadata().build());
        eventually(WAIT, () -> assertThat(reconciler.plans()).isGreaterThan(settled));
        assertThat(reconciler.writes()).isEqualTo(2);
    }

    @Test
    void aLargeGroupIsWrittenAsShardsOnItsNodesAndShrinksBackToOne() {
        namespace("shop", true);
        node("n1", Map.of());
        List<String> many = ImageCacheShardsTest.images(200);
        deployment("shop", "web", spec(many, List.of(), List.of(), List.of()));
        start(SETTINGS);

        eventually(WAIT, () -> {
            List<DaemonSet> shards = caches(SHARED);
            assertThat(shards).hasSizeGreaterThan(1);
            assertThat(cachedIn(SHARED)).isEqualTo(many.stream().sorted().toList());
            assertThat(shards).allSatisfy(ds -> {
                assertThat(ImageCacheShards.templateBytes(ds)).isLessThan(16 * 1024);
                assertThat(ds.getMetadata().getLabels()).containsKey(ImageCacheDaemonSet.SHARD_LABEL);
            });
            // all shards select the one membership label the node carries
            assertThat(shards.stream().map(ImageCacheReconcilerTest::group).distinct()).singleElement()
                    .satisfies(id -> assertThat(membership("n1")).containsExactly(id));
            assertThat(shards).allSatisfy(ds -> assertThat(ds.getSpec().getTemplate().getSpec().getNodeSelector())
                    .containsEntry(CacheMembership.label(group(ds)), "true"));
            assertThat(view.current().orElseThrow().shards().values()).singleElement()
                    .satisfies(s -> assertThat(s).hasSize(shards.size()));
        });

        // The group shrinks to a few images: the shards go (by their labels), one DaemonSet stays.
        client.apps().deployments().inNamespace("shop").withName("web").edit(d -> new DeploymentBuilder(d)
                .editSpec().editTemplate().withSpec(spec(many.subList(0, 3), List.of(), List.of(), List.of()))
                .endTemplate().endSpec().build());
        eventually(WAIT, () -> {
            assertThat(caches(SHARED)).singleElement().satisfies(ds -> {
                assertThat(ds.getMetadata().getLabels()).doesNotContainKey(ImageCacheDaemonSet.SHARD_LABEL);
                assertThat(images(ds)).containsExactlyInAnyOrderElementsOf(many.subList(0, 3));
            });
        });
    }

    @Test
    void theOldPerNamespaceCacheIsRemovedAndAUsersLookAlikeLeftAlone() {
        namespace("shop", true);
        namespace("mine", false);
        node("n1", Map.of());
        deployment("shop", "web", spec(List.of("shop/web:1.0"), List.of(), List.of(), List.of()));
        DaemonSet old = new DaemonSetBuilder().withNewMetadata().withName("headstart-image-cache").withNamespace("shop")
                .addToLabels("app.kubernetes.io/name", "headstart-image-cache")
                .addToLabels("app.kubernetes.io/managed-by", "headstart").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app.kubernetes.io/name", "headstart-image-cache").endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app.kubernetes.io/name", "headstart-image-cache").endMetadata()
                    .withNewSpec().addNewContainer().withName("pause").withImage("registry.k8s.io/pause:3.10").endContainer()
                    .endSpec().endTemplate().endSpec().build();
        client.apps().daemonSets().inNamespace("shop").resource(old).create();
        DaemonSet usersOwn = new DaemonSetBuilder(old).editMetadata().withNamespace("mine").withResourceVersion(null)
                .withLabels(Map.of("app.kubernetes.io/name", "headstart-image-cache")).endMetadata().build();
        client.apps().daemonSets().inNamespace("mine").resource(usersOwn).create();
        DaemonSet unlabelled = new DaemonSetBuilder(old).editMetadata().withName("headstart-image-cache-zzz")
                .withResourceVersion(null).withLabels(Map.of("app", "zzz")).endMetadata().build();
        client.apps().daemonSets().inNamespace("shop").resource(unlabelled).create();
        start(SETTINGS);

        eventually(WAIT, () -> {
            // The unlabelled look-alike is the user's workload like any other: its image is cached;
            // the old cache (labelled as Headstart's) is not a workload, and is removed.
            assertThat(cachedIn(SHARED)).containsExactly("registry.k8s.io/pause:3.10", "shop/web:1.0");
            assertThat(client.apps().daemonSets().inNamespace("shop").withName("headstart-image-cache").get()).isNull();
        });
        assertThat(client.apps().daemonSets().inNamespace("mine").withName("headstart-image-cache").get()).isNotNull();
        assertThat(client.apps().daemonSets().inNamespace("shop").withName("headstart-image-cache-zzz").get()).isNotNull();
    }

    @Test
    void aFailedImageIsReportedOnItsWorkloadOnceAndCountedPerNode() throws Exception {
        try (InputStream crd = new FileInputStream("manifests/crds/policyreports.wgpolicyk8s.io.yaml")) {
            client.apiextensions().v1().customResourceDefinitions().load(crd).create();
        }
        namespace("shop", true);
        node("n1", Map.of());
        Deployment web = deployment("shop", "web", spec(List.of("shop/web:1.0", "shop/gone:404"), List.of(), List.of(), List.of()));
        start(SETTINGS);
        eventually(WAIT, () -> assertThat(cachedIn(SHARED)).containsExactly("shop/gone:404", "shop/web:1.0"));
        DaemonSet ds = caches(SHARED).get(0);
        List<String> images = images(ds);

        // The kubelet pulled one image and backs off on the other; the pulled one runs regardless.
        Function<Integer, ContainerStatus> kubelet = i -> images.get(i).equals("shop/gone:404")
                ? waiting("cache-" + i, images.get(i), "ImagePullBackOff", "Back-off pulling image \"shop/gone:404\"")
                : running("cache-" + i, images.get(i));
        Pod pod = cachePod(ds, "n1", kubelet);

        eventually(WAIT, () -> {
            assertThat(events("shop")).singleElement().satisfies(e -> {
                assertThat(e.getReason()).isEqualTo("ImageCacheFailed");
                assertThat(e.getType()).isEqualTo("Warning");
                assertThat(e.getInvolvedObject().getKind()).isEqualTo("Deployment");
                assertThat(e.getInvolvedObject().getName()).isEqualTo("web");
                assertThat(e.getInvolvedObject().getUid()).isEqualTo(web.getMetadata().getUid());
                assertThat(e.getMessage()).contains("shop/gone:404", "1 node", "ImagePullBackOff").doesNotContain("shop/web:1.0");
            });
            assertThat(gauge("headstart.image.cache.images", "state", "failed")).isEqualTo(1.0);
            assertThat(gauge("headstart.image.cache.images", "state", "cached")).isEqualTo(1.0);
            assertThat(gauge("headstart.image.cache.images", "state", "pending")).isEqualTo(0.0);
            assertThat(result(report("shop", "headstart-image-cache-deployment-web"))).isEqualTo("fail");
        });
        GenericKubernetesResource report = report("shop", "headstart-image-cache-deployment-web");
        assertThat(report.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(web.getMetadata().getUid()));

        // The kubelet tries again (ErrImagePull, then back-off): the same failure draws no second Event.
        long passes = reconciler.statusPasses();
        Pod again = setStatuses(client.pods().inNamespace(SHARED).withName(pod.getMetadata().getName()).get(),
                i -> images.get(i).equals("shop/gone:404")
                        ? waiting("cache-" + i, images.get(i), "ErrImagePull", "failed to pull and unpack image: not found")
                        : running("cache-" + i, images.get(i)));
        eventually(WAIT, () -> assertThat(reconciler.statusPasses()).isGreaterThan(passes));
        Thread.sleep(200);
        assertThat(events("shop")).hasSize(1);

        // The tag is pushed again: the report passes, nothing is failed any more.
        setStatuses(again, i -> running("cache-" + i, images.get(i)));
        eventually(WAIT, () -> {
            assertThat(result(report("shop", "headstart-image-cache-deployment-web"))).isEqualTo("pass");
            assertThat(gauge("headstart.image.cache.images", "state", "failed")).isEqualTo(0.0);
            assertThat(gauge("headstart.image.cache.images", "state", "cached")).isEqualTo(2.0);
        });
    }

    List<Event> events(String namespace) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> "ImageCacheFailed".equals(e.getReason())).toList();
    }

    GenericKubernetesResource report(String namespace, String name) {
        return client.genericKubernetesResources(PolicyReportWriter.POLICY_REPORTS).inNamespace(namespace).withName(name).get();
    }

    @SuppressWarnings("unchecked")
    static String result(GenericKubernetesResource report) {
        assertThat(report).isNotNull();
        List<Map<String, Object>> results = (List<Map<String, Object>>) report.getAdditionalProperties().get("results");
        assertThat(results).singleElement().satisfies(r -> assertThat(r).containsEntry("policy", "image-cache"));
        return Objects.toString(results.get(0).get("result"));
    }

    @Test
    void aPlatformFailureTakesTheImageOffThatArchitecture() {
        namespace("shop", true);
        node("a1", Map.of());
        node("r1", Map.of("kubernetes.io/arch", "arm64"));
        deployment("shop", "web", spec(List.of("x86only:1", "multi:1"), List.of(), List.of(), List.of()));
        start(SETTINGS);
        eventually(WAIT, () -> assertThat(imagesFor("r1")).containsExactly("multi:1", "x86only:1"));
        DaemonSet ds = caches(SHARED).get(0);
        List<String> images = images(ds);

        // containerd on the arm64 node: no manifest for its platform.
        cachePod(ds, "r1", i -> images.get(i).equals("x86only:1")
                ? waiting("cache-" + i, images.get(i), "ErrImagePull", "failed to pull and unpack image "
                        + "\"docker.io/library/x86only:1\": no match for platform in manifest: not found")
                : running("cache-" + i, images.get(i)));

        eventually(WAIT, () -> {
            assertThat(imagesFor("r1")).containsExactly("multi:1");
            assertThat(imagesFor("a1")).containsExactly("multi:1", "x86only:1");
            assertThat(holding("x86only:1").getSpec().getTemplate().getSpec().getAffinity().getNodeAffinity()
                    .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms())
                    .allSatisfy(term -> assertThat(term.getMatchExpressions()).anySatisfy(e -> {
                        assertThat(e.getKey()).isEqualTo("kubernetes.io/arch");
                        assertThat(e.getOperator()).isEqualTo("In");
                        assertThat(e.getValues()).containsExactly("amd64");
                    }));
        });
        assertThat(allCaches().stream().map(ImageCacheReconcilerTest::images).flatMap(List::stream)
                .collect(Collectors.toList())).containsOnlyOnce("x86only:1");
    }

    @Test
    void inertUntilStartedAndAfterStop() throws Exception {
        namespace("shop", true);
        node("n1", Map.of());
        deployment("shop", "web", spec(List.of("shop/web:1.0"), List.of(), List.of(), List.of()));
        Thread.sleep(300);
        assertThat(allCaches()).isEmpty();

        ImageCacheReconciler inactive = new ImageCacheReconciler(() -> controller, new SharedInformers(() -> controller, 500),
                SETTINGS, new ImageCacheView(true), new ImageCacheMetrics(new SimpleMeterRegistry()), false);
        inactive.start();
        Thread.sleep(300);
        assertThat(allCaches()).isEmpty();
        inactive.stop();

        start(SETTINGS);
        eventually(WAIT, () -> assertThat(allCaches()).isNotEmpty());
        reconciler.stop();
        reconciler.stop();
        assertThat(view.current()).isEmpty();
        client.apps().daemonSets().inNamespace(SHARED).delete();
        Thread.sleep(300);
        assertThat(allCaches()).isEmpty();
    }

    /**
     * A stop while a pass plans (CPU work, which the executor's interrupt does not end) waits for that
     * pass: what it publishes does not outlive the stop. (Before, the pass could publish after the
     * stop had cleared the view, which {@link #inertUntilStartedAndAfterStop} could trip over.)
     */
    @Test
    void aStopWaitsForThePassUnderWaySoNothingItPublishesOutlivesIt() throws Exception {
        namespace("shop", true);
        node("n1", Map.of());
        deployment("shop", "web", spec(List.of("shop/web:1.0"), List.of(), List.of(), List.of()));
        java.util.concurrent.CountDownLatch publishing = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch shutDown = new java.util.concurrent.CountDownLatch(1);
        registry = new SimpleMeterRegistry();
        view = new ImageCacheView(true) {
            @Override
            public void publish(Snapshot snapshot) {
                publishing.countDown();
                boolean interrupted = false;
                while (true) {
                    try {
                        release.await();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true; // the stop's interrupt: planning goes on regardless
                        shutDown.countDown();
                    }
                }
                super.publish(snapshot);
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        reconciler = new ImageCacheReconciler(() -> controller, new SharedInformers(() -> controller, 500), SETTINGS,
                view, new ImageCacheMetrics(registry), true);
        reconciler.start();
        assertThat(publishing.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).as("a pass publishes").isTrue();

        java.util.concurrent.CompletableFuture<Void> stopped = java.util.concurrent.CompletableFuture.runAsync(reconciler::stop);
        // The stop has shut the executor down (the pass saw its interrupt). Before, it then cleared the
        // view and returned at once; now it waits for the pass.
        assertThat(shutDown.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).as("the stop interrupts").isTrue();
        try {
            stopped.get(1, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException waitingForThePass) {
            // as it should: the stop waits for the pass
        }
        release.countDown();
        stopped.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertThat(view.current()).as("nothing published outlives the stop").isEmpty();
    }

    // --- issue 20: placement as the scheduler decides it, by membership label ---

    void sizedNode(String name, Map<String, String> labels, Map<String, String> allocatable, boolean cordoned, Taint... taints) {
        Map<String, String> all = new LinkedHashMap<>(Map.of("kubernetes.io/os", "linux", "kubernetes.io/arch", "amd64"));
        all.putAll(labels);
        Map<String, io.fabric8.kubernetes.api.model.Quantity> resources = new LinkedHashMap<>();
        allocatable.forEach((k, v) -> resources.put(k, new io.fabric8.kubernetes.api.model.Quantity(v)));
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).withLabels(all).endMetadata()
                .withNewSpec().withTaints(taints).withUnschedulable(cordoned).endSpec()
                .withNewStatus().withAllocatable(resources).endStatus()
                .build()).create();
    }

    static PodSpec requesting(String image, Map<String, String> requests) {
        Map<String, io.fabric8.kubernetes.api.model.Quantity> q = new LinkedHashMap<>();
        requests.forEach((k, v) -> q.put(k, new io.fabric8.kubernetes.api.model.Quantity(v)));
        PodSpec spec = spec(List.of(image), List.of(), List.of(), List.of());
        spec.getContainers().get(0).setResources(new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder().withRequests(q).build());
        return spec;
    }

    @Test
    void nodesGetTheMembershipLabelsOfWhatCanRunThereResourcesRuntimeClassOsPinningAndCordonIncluded() {
        namespace("shop", true);
        Taint gpuTaint = new io.fabric8.kubernetes.api.model.TaintBuilder().withKey("nvidia.com/gpu").withValue("present")
                .withEffect("NoSchedule").build();
        Taint dedicated = new io.fabric8.kubernetes.api.model.TaintBuilder().withKey("dedicated").withValue("db")
                .withEffect("NoSchedule").build();
        Taint sandboxTaint = new io.fabric8.kubernetes.api.model.TaintBuilder().withKey("sandbox").withValue("gvisor")
                .withEffect("NoSchedule").build();
        sizedNode("gpu-1", Map.of("pool", "gpu"), Map.of("cpu", "16", "memory", "64Gi", "nvidia.com/gpu", "4"), false, gpuTaint);
        sizedNode("cpu-1", Map.of(), Map.of("cpu", "2", "memory", "8Gi"), false);
        sizedNode("drain-1", Map.of(), Map.of("cpu", "2", "memory", "8Gi"), true);
        sizedNode("db-1", Map.of(), Map.of("cpu", "2", "memory", "8Gi"), false, dedicated);
        sizedNode("sandbox-1", Map.of("sandbox", "gvisor"), Map.of("cpu", "4", "memory", "8Gi"), false, sandboxTaint);
        client.resources(io.fabric8.kubernetes.api.model.node.v1.RuntimeClass.class).resource(
                new io.fabric8.kubernetes.api.model.node.v1.RuntimeClassBuilder().withNewMetadata().withName("gvisor").endMetadata()
                        .withHandler("runsc").withNewScheduling().withNodeSelector(Map.of("sandbox", "gvisor"))
                        .withTolerations(new TolerationBuilder().withKey("sandbox").withOperator("Exists").withEffect("NoSchedule").build())
                        .endScheduling().build()).create();
        PodSpec train = requesting("cuda:12", Map.of("nvidia.com/gpu", "1"));
        train.setTolerations(List.of(new TolerationBuilder().withKey("nvidia.com/gpu").withOperator("Exists").withEffect("NoSchedule").build()));
        deployment("shop", "train", train);
        deployment("shop", "web", requesting("nginx:1", Map.of("cpu", "500m")));
        PodSpec pinned = requesting("postgres:16", Map.of());
        pinned.setNodeName("db-1");
        deployment("shop", "db", pinned);
        PodSpec windows = requesting("servercore:ltsc2022", Map.of());
        windows.setOs(new io.fabric8.kubernetes.api.model.PodOSBuilder().withName("windows").build());
        deployment("shop", "win", windows);
        PodSpec sandboxed = requesting("untrusted:1", Map.of());
        sandboxed.setRuntimeClassName("gvisor");
        deployment("shop", "sandboxed", sandboxed);
        start(SETTINGS.withMaxPodsPerNode(5));

        eventually(WAIT, () -> {
            assertThat(imagesFor("gpu-1")).containsExactly("cuda:12");
            assertThat(imagesFor("cpu-1")).containsExactly("nginx:1");
            assertThat(imagesFor("drain-1")).isEmpty();
            assertThat(imagesFor("db-1")).containsExactly("postgres:16");
            assertThat(imagesFor("sandbox-1")).containsExactly("untrusted:1");
            assertThat(allCaches()).flatExtracting(ImageCacheReconcilerTest::images).doesNotContain("servercore:ltsc2022");
            // each node carries exactly the labels of the groups the plan gives it
            for (String node : List.of("gpu-1", "cpu-1", "drain-1", "db-1", "sandbox-1")) {
                assertThat(membership(node)).as(node).containsExactlyInAnyOrderElementsOf(
                        view.current().orElseThrow().plan().groupsByNode().get(node));
            }
        });
        // every DaemonSet selects its label and names no node but the pinned one
        assertThat(allCaches()).allSatisfy(ds -> assertThat(ds.getSpec().getTemplate().getSpec().getNodeSelector())
                .containsEntry(CacheMembership.label(group(ds)), "true"));
        // the RuntimeClass changes: the plan follows it
        client.resources(io.fabric8.kubernetes.api.model.node.v1.RuntimeClass.class).withName("gvisor").delete();
        eventually(WAIT, () -> assertThat(imagesFor("sandbox-1")).isEmpty());
        eventually(WAIT, () -> assertThat(membership("sandbox-1")).isEmpty());
    }

    @Test
    void eachMembershipLabelPatchIsOneRequestWithNoReadBeforeIt() throws Exception {
        namespace("shop", true);
        for (int i = 0; i < 5; i++) {
            node("n" + i, Map.of());
        }
        deployment("shop", "web", spec(List.of("nginx:1"), List.of(), List.of(), List.of()));
        ApiRequestRecorder.takeAll(server);
        start(SETTINGS);
        eventually(WAIT, () -> assertThat(reconciler.labelWrites()).isEqualTo(5));
        List<String> perNode = new java.util.ArrayList<>();
        for (var r : ApiRequestRecorder.takeAll(server)) {
            if (r.getPath().matches("/api/v1/nodes/[^/?]+(\\?.*)?")) {
                perNode.add(r.getMethod() + " " + r.getPath().replaceFirst("\\?.*", ""));
            }
        }
        // 5,000 nodes at start-up are 5,000 requests, not 10,000: the informer already holds the node
        assertThat(perNode).containsExactlyInAnyOrder("PATCH /api/v1/nodes/n0", "PATCH /api/v1/nodes/n1",
                "PATCH /api/v1/nodes/n2", "PATCH /api/v1/nodes/n3", "PATCH /api/v1/nodes/n4");
    }

    @Test
    void aNodeJoiningOrLeavingChangesLabelsOnlyNeverATemplate() throws Exception {
        namespace("shop", true);
        for (int i = 0; i < 5; i++) {
            node("n" + i, Map.of());
        }
        deployment("shop", "web", spec(List.of("nginx:1"), List.of(), List.of(), List.of()));
        deployment("shop", "api", spec(List.of("private.example.com/api:1"), List.of(), List.of("regcred"), List.of()));
        start(SETTINGS.withMaxPodsPerNode(1));
        eventually(WAIT, () -> assertThat(reconciler.labelWrites()).isEqualTo(5));
        eventually(WAIT, () -> assertThat(reconciler.writes()).isEqualTo(2));
        Map<String, String> versions = allCaches().stream().collect(Collectors.toMap(ImageCacheReconcilerTest::group,
                ds -> ds.getMetadata().getResourceVersion()));
        long plans = reconciler.plans();
        long labels = reconciler.labelWrites();

        for (int i = 5; i < 10; i++) {
            node("n" + i, Map.of());
        }
        client.nodes().withName("n0").delete();

        eventually(WAIT, () -> {
            for (int i = 5; i < 10; i++) {
                assertThat(membership("n" + i)).hasSize(1);
            }
        });
        eventually(WAIT, () -> assertThat(reconciler.plans()).isGreaterThan(plans));
        eventually(WAIT, () -> assertThat(reconciler.labelWrites() - labels).as("one label patch per joining node").isEqualTo(5));
        Thread.sleep(300);
        assertThat(reconciler.labelWrites() - labels).isEqualTo(5);
        assertThat(reconciler.writes()).as("no DaemonSet written").isEqualTo(2);
        assertThat(allCaches().stream().collect(Collectors.toMap(ImageCacheReconcilerTest::group,
                ds -> ds.getMetadata().getResourceVersion()))).isEqualTo(versions);
        // the controller's own label writes ask for no plan
        long settled = reconciler.plans();
        client.nodes().withName("n1").edit(n -> new NodeBuilder(n).editMetadata().addToLabels(CacheMembership.label("stale"), "true")
                .endMetadata().build());
        assertThat(reconciler.plans()).isEqualTo(settled);
    }
}
