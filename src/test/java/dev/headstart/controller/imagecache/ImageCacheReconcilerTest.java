package dev.headstart.controller.imagecache;

import dev.headstart.cluster.Component;
import dev.headstart.testing.ComponentClient;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.headstart.controller.imagecache.ImageCacheFixtures.SETTINGS;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.spec;
import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/** The image cache following the workloads, against the fabric8 mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class ImageCacheReconcilerTest {

    static final Duration WAIT = Duration.ofSeconds(15);

    KubernetesMockServer server;
    /** Fixtures; the code under test gets {@link #controller}, a client that identifies as the controller. */
    KubernetesClient client;
    private KubernetesClient controller;
    ImageCacheReconciler reconciler;

    @BeforeEach
    void setUp() {
        controller = ComponentClient.of(Component.CONTROLLER, server, client);
        reconciler = new ImageCacheReconciler(() -> controller, SETTINGS, true);
    }

    @AfterEach
    void tearDown() {
        reconciler.stop();
        controller.close();
    }

    void namespace(String name, Map<String, String> labels, Map<String, String> annotations) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
                .withLabels(labels).withAnnotations(annotations).endMetadata().build()).createOr(r -> r.update());
    }

    Deployment deployment(String namespace, String name, PodSpec pod) {
        return client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", name).endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata().withSpec(pod).endTemplate()
                .endSpec().build()).create();
    }

    DaemonSet cache(String namespace) {
        return client.apps().daemonSets().inNamespace(namespace).withName(ImageCacheDaemonSet.NAME).get();
    }

    static List<String> cachedImages(DaemonSet ds) {
        return ds.getSpec().getTemplate().getSpec().getInitContainers().stream()
                .filter(c -> c.getName().startsWith("cache-")).map(Container::getImage).toList();
    }

    @Test
    void followsTheWorkloadsImagesAndWritesOnlyWhenTheSetChanges() throws Exception {
        namespace("shop", Map.of("headstart.dev/inject", "enabled"), Map.of());
        deployment("shop", "web", spec(List.of("shop/web:1.0", "envoy:1.30"), List.of("shop/migrate:1.0"),
                List.of("regcred"), List.of()));
        client.batch().v1().cronjobs().inNamespace("shop").resource(new CronJobBuilder()
                .withNewMetadata().withName("report").withNamespace("shop").endMetadata()
                .withNewSpec().withSchedule("0 * * * *").withNewJobTemplate().withNewSpec().withNewTemplate()
                    .withSpec(spec(List.of("shop/report:3"), List.of(), List.of(), List.of())).endTemplate()
                .endSpec().endJobTemplate().endSpec().build()).create();
        reconciler.start();

        eventually(WAIT, () -> assertThat(cache("shop")).isNotNull());
        DaemonSet first = cache("shop");
        assertThat(cachedImages(first)).containsExactly("envoy:1.30", "shop/migrate:1.0", "shop/report:3", "shop/web:1.0");
        assertThat(first.getSpec().getTemplate().getSpec().getInitContainers().get(0).getName())
                .isEqualTo("headstart-noop-installer");
        assertThat(first.getSpec().getTemplate().getSpec().getImagePullSecrets()).extracting(r -> r.getName())
                .containsExactly("regcred");
        assertThat(first.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(ImageCacheDaemonSet.IMAGES_ANNOTATION, "envoy:1.30\nshop/migrate:1.0\nshop/report:3\nshop/web:1.0");

        // A deploy changes one image: the DaemonSet follows, order stays sorted.
        client.apps().deployments().inNamespace("shop").withName("web").edit(d -> new DeploymentBuilder(d)
                .editSpec().editTemplate().editSpec().editContainer(0).withImage("shop/web:1.1").endContainer()
                .endSpec().endTemplate().endSpec().build());
        eventually(WAIT, () -> assertThat(cachedImages(cache("shop")))
                .containsExactly("envoy:1.30", "shop/migrate:1.0", "shop/report:3", "shop/web:1.1"));
        String version = cache("shop").getMetadata().getResourceVersion();

        // A change that leaves the image set alone (scale, another workload with known images): no write.
        long before = reconciler.reconciles();
        client.apps().deployments().inNamespace("shop").withName("web").edit(d -> new DeploymentBuilder(d)
                .editSpec().withReplicas(5).endSpec().build());
        deployment("shop", "web-canary", spec(List.of("shop/web:1.1"), List.of(), List.of(), List.of()));
        eventually(WAIT, () -> assertThat(reconciler.reconciles()).isGreaterThan(before));
        Thread.sleep(300);
        assertThat(cache("shop").getMetadata().getResourceVersion()).isEqualTo(version);

        // Its own DaemonSet's images (pause, busybox) never feed back into the list.
        assertThat(cachedImages(cache("shop"))).doesNotContain("registry.k8s.io/pause:3.10", "busybox:1.36.1-musl");
    }

    @Test
    void onlyOptedInNamespacesAndRemovedWhenSwitchedOffOrEmpty() {
        namespace("shop", Map.of("headstart.dev/inject", "enabled"), Map.of());
        namespace("other", Map.of(), Map.of());
        deployment("shop", "web", spec(List.of("shop/web:1.0"), List.of(), List.of(), List.of()));
        deployment("other", "web", spec(List.of("other/web:1.0"), List.of(), List.of(), List.of()));
        reconciler.start();

        eventually(WAIT, () -> assertThat(cache("shop")).isNotNull());
        assertThat(cache("other")).isNull();

        // Switched off by annotation: the cache goes.
        namespace("shop", Map.of("headstart.dev/inject", "enabled"), Map.of("headstart.dev/image-cache", "disabled"));
        eventually(WAIT, () -> assertThat(cache("shop")).isNull());

        // Switched on again, then its last workload goes: the cache goes too.
        namespace("shop", Map.of("headstart.dev/inject", "enabled"), Map.of());
        eventually(WAIT, () -> assertThat(cache("shop")).isNotNull());
        client.apps().deployments().inNamespace("shop").withName("web").delete();
        eventually(WAIT, () -> assertThat(cache("shop")).isNull());
    }

    @Test
    void inertUntilStartedAndAfterStop() throws Exception {
        namespace("shop", Map.of("headstart.dev/inject", "enabled"), Map.of());
        deployment("shop", "web", spec(List.of("shop/web:1.0"), List.of(), List.of(), List.of()));
        Thread.sleep(300);
        assertThat(cache("shop")).isNull();

        ImageCacheReconciler inactive = new ImageCacheReconciler(() -> controller, SETTINGS, false);
        inactive.start();
        Thread.sleep(300);
        assertThat(cache("shop")).isNull();
        inactive.stop();

        reconciler.start();
        eventually(WAIT, () -> assertThat(cache("shop")).isNotNull());
        reconciler.stop();
        reconciler.stop();
        client.apps().daemonSets().inNamespace("shop").withName(ImageCacheDaemonSet.NAME).delete();
        Thread.sleep(300);
        assertThat(cache("shop")).isNull();
    }
}
