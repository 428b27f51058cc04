package dev.headstart.controller.imagecache;

import dev.headstart.testing.ApiRequestRecorder;
import dev.headstart.controller.informers.SharedInformers;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.headstart.controller.imagecache.ImageCacheFixtures.SETTINGS;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.spec;
import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Workloads are listed and watched only in opted-in namespaces, and the watches follow the
 * namespace label as it is added and removed.
 */
@EnableKubernetesMockClient(crud = true)
class ImageCacheWatchScopeTest {

    static final Duration WAIT = Duration.ofSeconds(15);
    static final List<String> WORKLOAD_PATHS = List.of("/apis/apps/v1/deployments", "/apis/apps/v1/statefulsets",
            "/apis/apps/v1/daemonsets", "/apis/batch/v1/cronjobs");

    KubernetesClient client;
    KubernetesMockServer server;
    ImageCacheReconciler reconciler;

    @AfterEach
    void tearDown() {
        if (reconciler != null) {
            reconciler.stop();
        }
    }

    void namespace(String name, boolean optedIn) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
                .withLabels(optedIn ? Map.of("headstart.dev/inject", "enabled") : Map.of("team", "x")).endMetadata()
                .build()).createOr(r -> r.update());
    }

    void deployment(String namespace, String name, PodSpec pod) {
        client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", name).endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata().withSpec(pod).endTemplate()
                .endSpec().build()).create();
    }

    /** The shared cache's images (Headstart's namespace), sorted. */
    List<String> cached() {
        return client.apps().daemonSets().inNamespace("headstart-system").list().getItems().stream()
                .flatMap(ds -> ds.getSpec().getTemplate().getSpec().getContainers().stream())
                .map(c -> c.getImage()).sorted().toList();
    }

    List<String> requests() throws InterruptedException {
        List<String> paths = new ArrayList<>();
        RecordedRequest request;
        while ((request = ApiRequestRecorder.take(server, 10, TimeUnit.MILLISECONDS)) != null) {
            paths.add(request.getMethod() + " " + request.getPath());
        }
        return paths;
    }

    static boolean readsWorkloads(String request, String namespace) {
        return request.startsWith("GET ") && WORKLOAD_PATHS.stream().anyMatch(path -> request.contains(
                namespace == null ? path + "?" : path.replace("/v1/", "/v1/namespaces/" + namespace + "/") + "?"));
    }

    @Test
    void workloadsAreWatchedOnlyInOptedInNamespacesFollowingTheLabel() throws Exception {
        namespace("shop", true);
        namespace("other", false);
        client.nodes().resource(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName("n1")
                .addToLabels("kubernetes.io/os", "linux").endMetadata().build()).create();
        deployment("shop", "web", spec(List.of("shop/web:1.0"), List.of(), List.of(), List.of()));
        deployment("other", "api", spec(List.of("other/api:1.0"), List.of(), List.of(), List.of()));
        requests();
        SharedInformers informers = new SharedInformers(() -> client, 500);
        reconciler = new ImageCacheReconciler(() -> client, informers, SETTINGS, new ImageCacheView(true),
                new ImageCacheMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()), true);
        reconciler.start();

        eventually(WAIT, () -> assertThat(cached()).containsExactly("shop/web:1.0"));
        List<String> seen = requests();
        assertThat(seen).anyMatch(r -> readsWorkloads(r, "shop"));
        assertThat(seen).noneMatch(r -> readsWorkloads(r, "other"));
        // Cluster-wide, only Headstart's own cache DaemonSets, by label.
        assertThat(seen).as("no cluster-wide workload list or watch").noneMatch(r -> readsWorkloads(r, null)
                && !r.contains("labelSelector=app.kubernetes.io%2Fname%3Dheadstart-image-cache"));
        assertThat(seen).as("only opted-in namespaces are listed")
                .contains("GET /api/v1/namespaces?labelSelector=headstart.dev%2Finject%3Denabled&limit=500");
        assertThat(reconciler.watchedNamespaces()).containsExactly("shop");

        // Opting in starts the namespace's workload informers and its cache follows.
        namespace("other", true);
        eventually(WAIT, () -> assertThat(cached()).containsExactly("other/api:1.0", "shop/web:1.0"));
        assertThat(reconciler.watchedNamespaces()).containsExactly("other", "shop");
        assertThat(requests()).anyMatch(r -> readsWorkloads(r, "other"));

        // Opting out stops them (nothing of the namespace stays cached) and removes its cache.
        namespace("shop", false);
        eventually(WAIT, () -> assertThat(cached()).containsExactly("other/api:1.0"));
        // (a namespace leaves the followed set before its informers are closed: wait for both)
        eventually(WAIT, () -> {
            assertThat(reconciler.watchedNamespaces()).containsExactly("other");
            assertThat(informers.active()).noneMatch(name -> name.endsWith("@shop"))
                    .contains("deployments@other", "statefulsets@other", "daemonsets@other", "cronjobs@other",
                            "serviceaccounts@other");
        });

        reconciler.stop();
        assertThat(informers.active()).isEmpty();
    }
}
