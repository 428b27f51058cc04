package dev.headstart.controller.informers;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeListBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;

import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lists that follow a failure or a watch gap: what the cache held but the new list no longer has
 * (deleted in between) must leave the cache, although the store rebuilds for fabric8's stale scan
 * only what the running list did not store ({@link SlimItemStore#values()}).
 */
@EnableKubernetesMockClient
class SharedInformersListRetryTest {

    KubernetesClient client;
    KubernetesMockServer server;

    static Node node(String name) {
        return new NodeBuilder().withNewMetadata().withName(name).withResourceVersion("1").endMetadata().build();
    }

    @Test
    void aKindThatCannotListDoesNotHoldBackTheKindsAfterIt() {
        server.expect().get().withPath("/api/v1/nodes?limit=100").andReturn(403, "nodes is forbidden").always();
        server.expect().get().withPath("/api/v1/namespaces/team/configmaps?limit=500").andReturn(200,
                new io.fabric8.kubernetes.api.model.ConfigMapListBuilder().withNewMetadata().withResourceVersion("5").endMetadata()
                        .addNewItem().withNewMetadata().withName("c").withNamespace("team").withResourceVersion("5").endMetadata().endItem()
                        .build()).always();
        server.expect().get().withPath("/api/v1/namespaces/team/configmaps?allowWatchBookmarks=true&resourceVersion=5&timeoutSeconds=600&watch=true")
                .andUpgradeToWebSocket().open().done().always();
        CachedKind<io.fabric8.kubernetes.api.model.ConfigMap> later = new CachedKind<>("configmaps/team",
                io.fabric8.kubernetes.api.model.ConfigMap.class, 9, c -> c.configMaps().inNamespace("team"),
                java.util.List.of("metadata.uid"), java.util.Map.of());

        SharedInformers informers = new SharedInformers(() -> client, 500);
        Subscription<Node> nodes = informers.subscribe(ControllerKinds.NODES, SharedInformersTest.recording(new ArrayList<>()));
        Subscription<io.fabric8.kubernetes.api.model.ConfigMap> maps = informers.subscribe(later, SharedInformersTest.recording(new ArrayList<>()));
        try {
            // well before the 30 s a kind may take to list before the next one starts anyway (20 s: a
            // loaded host may take seconds for the list, and waiting for the nodes would take 30)
            eventually(Duration.ofSeconds(SharedInformers.START_TIMEOUT.toSeconds() * 2 / 3),
                    () -> assertThat(maps.hasSynced()).isTrue());
            assertThat(maps.keys()).containsExactly("team/c");
            assertThat(nodes.hasSynced()).isFalse();
        } finally {
            nodes.close();
            maps.close();
        }
    }

    @Test
    void anObjectDeletedBetweenAFailedFirstListAndItsRetryLeavesTheCache() {
        // attempt 1: page 1 (n1), then the next page fails
        server.expect().get().withPath("/api/v1/nodes?limit=1").andReturn(200, new NodeListBuilder()
                .withNewMetadata().withResourceVersion("10").withContinue("page2").endMetadata()
                .addToItems(node("n1")).build()).once();
        server.expect().get().withPath("/api/v1/nodes?continue=page2&limit=1").andReturn(500, "etcd timeout").once();
        // attempt 2: n1 was deleted meanwhile; only n2 is left
        server.expect().get().withPath("/api/v1/nodes?limit=1").andReturn(200, new NodeListBuilder()
                .withNewMetadata().withResourceVersion("12").endMetadata().addToItems(node("n2")).build()).once();
        server.expect().get().withPath("/api/v1/nodes?allowWatchBookmarks=true&resourceVersion=12&timeoutSeconds=600&watch=true")
                .andUpgradeToWebSocket().open().done().always();

        SharedInformers informers = new SharedInformers(() -> client, 1);
        Subscription<Node> nodes = informers.subscribe(ControllerKinds.NODES, SharedInformersTest.recording(new ArrayList<>()));
        try {
            eventually(Duration.ofSeconds(20), () -> assertThat(nodes.hasSynced()).isTrue());
            assertThat(nodes.keys()).containsExactly("n2");
            assertThat(nodes.list()).extracting(n -> n.getMetadata().getName()).containsExactly("n2");
        } finally {
            nodes.close();
        }
    }

    @Test
    void aNodeDeletedDuringAWatchGapLeavesTheCacheWhenTheInformerListsAgain() {
        server.expect().get().withPath("/api/v1/nodes?limit=1").andReturn(200, new NodeListBuilder()
                .withNewMetadata().withResourceVersion("10").withContinue("page2").endMetadata()
                .addToItems(node("n1")).build()).once();
        server.expect().get().withPath("/api/v1/nodes?continue=page2&limit=1").andReturn(200, new NodeListBuilder()
                .withNewMetadata().withResourceVersion("10").endMetadata().addToItems(node("n2")).build()).once();
        // the watch from 10 is too old by the time it opens (410 Gone): the informer lists again
        server.expect().get().withPath("/api/v1/nodes?allowWatchBookmarks=true&resourceVersion=10&timeoutSeconds=600&watch=true")
                .andUpgradeToWebSocket().open()
                .waitFor(200).andEmit(new io.fabric8.kubernetes.api.model.WatchEvent(new io.fabric8.kubernetes.api.model.StatusBuilder()
                        .withCode(410).withReason("Expired").withMessage("too old resource version").build(), "ERROR"))
                .done().once();
        server.expect().get().withPath("/api/v1/nodes?limit=1").andReturn(200, new NodeListBuilder()
                .withNewMetadata().withResourceVersion("20").endMetadata().addToItems(node("n2")).build()).once();
        server.expect().get().withPath("/api/v1/nodes?allowWatchBookmarks=true&resourceVersion=20&timeoutSeconds=600&watch=true")
                .andUpgradeToWebSocket().open().done().always();

        SharedInformers informers = new SharedInformers(() -> client, 1);
        java.util.List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        Subscription<Node> nodes = informers.subscribe(ControllerKinds.NODES, SharedInformersTest.recording(events));
        try {
            // the store changes before the handlers hear of it (fabric8 notifies them on its own thread)
            eventually(Duration.ofSeconds(20), () -> {
                assertThat(nodes.keys()).containsExactly("n2");
                assertThat(events).containsExactly("add", "add", "delete");
            });
        } finally {
            nodes.close();
        }
    }
}
