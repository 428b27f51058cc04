package dev.headstart.scale;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeList;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The simulated API server answers the fabric8 client as the controller uses it: paged lists,
 * selectors, informers fed by watches (heartbeats, new nodes), optimistic concurrency, and the
 * request log the benchmark reads its figures from.
 */
class SimulatedClusterTest {

    private static SimulatedCluster cluster;
    private static KubernetesClient client;
    private static String api;

    @BeforeAll
    static void start() throws Exception {
        cluster = new SimulatedCluster(new SimulatedCluster.Size(20, 40, 10, 2, 60, 0.1), 1);
        cluster.populate();
        api = (String) cluster.start().get("api");
        Config config = new ConfigBuilder().withMasterUrl(api).withNamespace("default").withRequestRetryBackoffLimit(0).build();
        client = new KubernetesClientBuilder().withConfig(config).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        cluster.close();
    }

    @Test
    void objectsHaveTheSizesOfARealCluster() {
        Node node = client.nodes().list().getItems().get(0);
        assertThat(node.getStatus().getImages()).hasSizeBetween(35, 50);
        assertThat(node.getMetadata().getManagedFields()).isNotEmpty();
        int nodeBytes = ObjectStore.MAPPER.valueToTree(node).toString().length();
        assertThat(nodeBytes).isBetween(14_000, 20_000);
        var deployment = client.apps().deployments().inAnyNamespace().list().getItems().get(0);
        assertThat(deployment.getMetadata().getAnnotations()).containsKey("kubectl.kubernetes.io/last-applied-configuration");
        assertThat(ObjectStore.MAPPER.valueToTree(deployment).toString().length()).isBetween(5_000, 10_000);
    }

    @Test
    void listsPageInKeyOrderWithoutLosingOrRepeating() {
        List<String> names = new ArrayList<>();
        String next = null;
        int pages = 0;
        do {
            NodeList page = client.nodes().list(new ListOptionsBuilder().withLimit(7L).withContinue(next).build());
            assertThat(page.getItems()).hasSizeLessThanOrEqualTo(7);
            page.getItems().forEach(n -> names.add(n.getMetadata().getName()));
            next = page.getMetadata().getContinue();
            pages++;
        } while (next != null && !next.isEmpty());
        assertThat(pages).isEqualTo(3);
        assertThat(names).hasSize(20).doesNotHaveDuplicates().isSorted();
        assertThat(names).containsExactlyInAnyOrderElementsOf(
                client.nodes().list().getItems().stream().map(n -> n.getMetadata().getName()).toList());
    }

    @Test
    void selectorsFilterAsTheApiServerDoes() {
        assertThat(client.namespaces().withLabel("headstart.dev/inject", "enabled").list().getItems())
                .extracting(ns -> ns.getMetadata().getName()).containsExactly("team-0000", "team-0005");
        assertThat(client.pods().inAnyNamespace().withField("spec.nodeName", EksObjects.nodeName(3)).list().getItems())
                .isNotEmpty().allMatch(p -> p.getSpec().getNodeName().equals(EksObjects.nodeName(3)));
        assertThat(client.configMaps().inNamespace(SimulatedCluster.INSTALL_NAMESPACE).withName("headstart-headroom").get()
                .getData()).containsEntry("params", SimulatedCluster.HEADROOM_PARAMS);
        assertThat(client.nodes().withLabelNotIn("topology.kubernetes.io/zone", "us-east-1a", "us-east-1b").list().getItems())
                .allMatch(n -> n.getMetadata().getLabels().get("topology.kubernetes.io/zone").equals("us-east-1c"))
                .isNotEmpty();
    }

    @Test
    void informersSeeHeartbeatsAndNewNodes() throws Exception {
        Map<String, Integer> updates = new ConcurrentHashMap<>();
        Set<String> added = ConcurrentHashMap.newKeySet();
        SharedIndexInformer<Node> informer = client.nodes().inform(new ResourceEventHandler<>() {
            public void onAdd(Node node) {
                added.add(node.getMetadata().getName());
            }

            public void onUpdate(Node before, Node after) {
                updates.merge(after.getMetadata().getName(), 1, Integer::sum);
            }

            public void onDelete(Node node, boolean unknown) {
            }
        });
        try {
            until(() -> added.size() == 20); // handlers are called after inform() returns
            control("heartbeats?on=true");
            until(() -> updates.size() == 20);
            control("add-nodes?count=3");
            until(() -> added.size() == 23);
            assertThat(informer.getStore().list()).hasSize(23);
        } finally {
            control("heartbeats?on=false");
            informer.close();
        }
    }

    @Test
    void aLabelSelectedWatchSeesObjectsEnterAndLeaveTheSelection() throws Exception {
        Set<String> optedIn = ConcurrentHashMap.newKeySet();
        List<Map<String, String>> deletedLabels = new java.util.concurrent.CopyOnWriteArrayList<>();
        SharedIndexInformer<io.fabric8.kubernetes.api.model.Namespace> informer = client.namespaces()
                .withLabel("headstart.dev/inject", "enabled").inform(new ResourceEventHandler<>() {
                    public void onAdd(io.fabric8.kubernetes.api.model.Namespace ns) {
                        optedIn.add(ns.getMetadata().getName());
                    }

                    public void onUpdate(io.fabric8.kubernetes.api.model.Namespace before,
                                         io.fabric8.kubernetes.api.model.Namespace after) {
                    }

                    public void onDelete(io.fabric8.kubernetes.api.model.Namespace ns, boolean unknown) {
                        optedIn.remove(ns.getMetadata().getName());
                        deletedLabels.add(ns.getMetadata().getLabels());
                    }
                });
        try {
            until(() -> optedIn.size() == 2);
            assertThat(optedIn).containsExactlyInAnyOrder("team-0000", "team-0005");
            client.namespaces().withName("team-0003").edit(ns -> {
                ns.getMetadata().getLabels().put("headstart.dev/inject", "enabled");
                return ns;
            });
            until(() -> optedIn.contains("team-0003"));
            client.namespaces().withName("team-0000").edit(ns -> {
                ns.getMetadata().getLabels().remove("headstart.dev/inject");
                return ns;
            });
            // (the handler removes the name, then records the labels: wait for both)
            until(() -> !optedIn.contains("team-0000") && !deletedLabels.isEmpty());
            assertThat(optedIn).containsExactlyInAnyOrder("team-0003", "team-0005");
            // The DELETED event carries the object as it was when it still matched.
            assertThat(deletedLabels).singleElement().satisfies(labels ->
                    assertThat(labels).containsEntry("headstart.dev/inject", "enabled"));
        } finally {
            informer.close();
            client.namespaces().withName("team-0003").edit(ns -> {
                ns.getMetadata().getLabels().remove("headstart.dev/inject");
                return ns;
            });
            client.namespaces().withName("team-0000").edit(ns -> {
                ns.getMetadata().getLabels().put("headstart.dev/inject", "enabled");
                return ns;
            });
        }
    }

    @Test
    void staleUpdatesConflictAndTheLogCountsByVerbAndResource() throws Exception {
        Lease lease = client.leases().inNamespace("default").resource(new LeaseBuilder().withNewMetadata().withName("l")
                .endMetadata().withNewSpec().withHolderIdentity("a").endSpec().build()).create();
        Lease changed = client.leases().inNamespace("default").withName("l").edit(l -> {
            l.getSpec().setHolderIdentity("b");
            return l;
        });
        assertThat(changed.getSpec().getHolderIdentity()).isEqualTo("b");
        assertThatThrownBy(() -> client.leases().inNamespace("default").resource(lease).update())
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));
        String log = control("requests");
        assertThat(log).contains("\"verb\":\"create\",\"resource\":\"coordination.k8s.io/leases\",\"code\":201")
                .contains("\"verb\":\"update\",\"resource\":\"coordination.k8s.io/leases\",\"code\":409");
        Set<String> verbs = new HashSet<>();
        ObjectStore.MAPPER.readTree(log).forEach(e -> verbs.add(e.get("verb").asText()));
        assertThat(verbs).contains("create", "update", "get");
    }

    private static void until(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 20 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static String control(String path) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api + "/_sim/" + path));
        request = path.startsWith("requests") ? request.GET() : request.POST(HttpRequest.BodyPublishers.noBody());
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
