package dev.headstart.controller.informers;

import dev.headstart.testing.ApiRequestRecorder;
import io.fabric8.kubernetes.api.model.ContainerImageBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

@EnableKubernetesMockClient(crud = true)
class SharedInformersTest {

    KubernetesClient client;
    KubernetesMockServer server;

    /** A node as EKS stores it: managedFields, an image list, and more than Headstart reads. */
    static Node eksNode(String name) {
        NodeBuilder node = new NodeBuilder()
                .withNewMetadata().withName(name)
                    .addToLabels("kubernetes.io/arch", "amd64").addToLabels("node.kubernetes.io/instance-type", "m5.large")
                    .addToAnnotations("node.alpha.kubernetes.io/ttl", "0")
                    .addToAnnotations("kubectl.kubernetes.io/last-applied-configuration", "{\"apiVersion\":\"v1\",\"kind\":\"Node\"}")
                    .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kubelet").withOperation("Update")
                            .withApiVersion("v1").withFieldsType("FieldsV1").build())
                .endMetadata()
                .withNewSpec().withProviderID("aws:///us-east-1a/i-0abc")
                    .withTaints(new Taint("NoSchedule", "headstart.dev/warmup", null, "true")).endSpec()
                .withNewStatus()
                    .addToAllocatable("cpu", new Quantity("1930m"))
                    .addToCapacity("cpu", new Quantity("2"))
                    .addNewCondition().withType("Ready").withStatus("True").withLastHeartbeatTime("2026-11-27T10:00:00Z")
                    .endCondition()
                    .addNewAddress().withType("InternalIP").withAddress("10.0.1.2").endAddress()
                    .withNewNodeInfo().withKubeletVersion("v1.33.1-eks").withOsImage("Amazon Linux 2023").endNodeInfo()
                .endStatus();
        for (int i = 0; i < 40; i++) {
            node.editStatus().addToImages(new ContainerImageBuilder()
                    .withNames("123456789012.dkr.ecr.us-east-1.amazonaws.com/app-" + i + "@sha256:" + "0".repeat(64))
                    .withSizeBytes(100_000_000L).build()).endStatus();
        }
        return node.build();
    }

    static <T> ResourceEventHandler<T> recording(List<String> events) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                events.add("add");
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                events.add("update");
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                events.add("delete");
            }
        };
    }

    List<String> requestPaths() throws InterruptedException {
        List<String> paths = new ArrayList<>();
        RecordedRequest request;
        while ((request = ApiRequestRecorder.take(server, 10, TimeUnit.MILLISECONDS)) != null) {
            paths.add(request.getMethod() + " " + request.getPath());
        }
        return paths;
    }

    @Test
    void nodesAreStoredWithOnlyTheFieldsHeadstartReads() {
        client.nodes().resource(eksNode("n1")).create();
        SharedInformers informers = new SharedInformers(() -> client, 500);
        Subscription<Node> nodes = informers.subscribe(ControllerKinds.NODES, recording(new ArrayList<>()));
        try {
            nodes.started().join();
            Node stored = nodes.get("n1");

            assertThat(stored.getMetadata().getManagedFields()).isNullOrEmpty();
            assertThat(stored.getStatus().getImages()).isNullOrEmpty();
            assertThat(stored.getStatus().getAddresses()).isNullOrEmpty();
            assertThat(stored.getStatus().getNodeInfo()).isNull();
            assertThat(stored.getStatus().getCapacity()).isNullOrEmpty();
            assertThat(stored.getMetadata().getAnnotations())
                    .containsExactlyEntriesOf(Map.of("node.alpha.kubernetes.io/ttl", "0"));
            // ...and everything headroom and the warm pool read.
            assertThat(stored.getMetadata().getName()).isEqualTo("n1");
            assertThat(stored.getMetadata().getResourceVersion()).isNotBlank();
            assertThat(stored.getMetadata().getUid()).isNotBlank();
            assertThat(stored.getMetadata().getCreationTimestamp()).isNotBlank();
            assertThat(stored.getMetadata().getLabels()).containsEntry("kubernetes.io/arch", "amd64");
            assertThat(stored.getSpec().getProviderID()).isEqualTo("aws:///us-east-1a/i-0abc");
            assertThat(stored.getSpec().getTaints()).extracting(Taint::getKey).containsExactly("headstart.dev/warmup");
            assertThat(stored.getStatus().getAllocatable()).containsEntry("cpu", new Quantity("1930m"));
            assertThat(stored.getStatus().getConditions()).extracting(c -> c.getType() + "=" + c.getStatus())
                    .containsExactly("Ready=True");
            assertThat(nodes.byIndex(ControllerKinds.TAINT_KEY_INDEX, "headstart.dev/warmup"))
                    .extracting(n -> n.getMetadata().getName()).containsExactly("n1");
        } finally {
            nodes.close();
        }
    }

    @Test
    void oneInformerPerKindPagedSharedByItsSubscribersAndClosedWithTheLast() throws Exception {
        for (int i = 0; i < 3; i++) {
            client.nodes().resource(eksNode("n" + i)).create();
        }
        requestPaths();
        SharedInformers informers = new SharedInformers(() -> client, 2);
        List<String> first = new CopyOnWriteArrayList<>();
        List<String> second = new CopyOnWriteArrayList<>();
        Subscription<Node> a = informers.subscribe(ControllerKinds.NODES, recording(first));
        a.started().join();
        Subscription<Node> b = informers.subscribe(ControllerKinds.NODES, recording(second));
        b.started().join();

        // A late subscriber is told of every cached node, from the same cache.
        // (handlers are told on the informer's own threads: started() does not wait for them)
        eventually(java.time.Duration.ofSeconds(30), () -> {
            assertThat(second).containsExactly("add", "add", "add");
            assertThat(first).containsExactly("add", "add", "add");
        });
        List<String> lists = requestPaths().stream().filter(p -> p.startsWith("GET /api/v1/nodes?")
                && !p.contains("watch=true")).toList();
        assertThat(lists).containsExactly("GET /api/v1/nodes?limit=2");
        assertThat(informers.active()).containsExactly("nodes");

        a.close();
        assertThat(informers.active()).containsExactly("nodes");
        client.nodes().resource(eksNode("n9")).create();
        eventually(java.time.Duration.ofSeconds(30), () -> assertThat(second).hasSize(4));
        assertThat(first).hasSize(3);

        b.close();
        assertThat(informers.active()).isEmpty();
        assertThat(b.hasSynced()).isFalse();
    }

    @Test
    void aKindWithItsOwnPageSizeListsInThoseSmallerPagesAndNeverInBiggerOnes() throws Exception {
        for (int i = 0; i < 3; i++) {
            client.nodes().resource(eksNode("n" + i)).create();
        }
        requestPaths();
        SharedInformers informers = new SharedInformers(() -> client, 2);
        Subscription<Node> small = informers.subscribe(ControllerKinds.NODES.withListPageSize(1), recording(new ArrayList<>()));
        small.started().join();
        small.close();
        assertThat(requestPaths()).contains("GET /api/v1/nodes?limit=1");

        // a kind's page size only lowers the configured one
        assertThat(informers.pageSize(ControllerKinds.NODES.withListPageSize(50))).isEqualTo(2);
        assertThat(informers.pageSize(ControllerKinds.NODES)).isEqualTo(2);
        assertThat(informers.pageSize(ControllerKinds.PODS)).isEqualTo(2);
        assertThat(new SharedInformers(() -> client, 500).pageSize(ControllerKinds.PODS))
                .isEqualTo(ControllerKinds.PODS.listPageSize()).isLessThan(500);
    }

    @Test
    void objectsOfOneNamespaceAreFoundByTheirKeysWithoutANamespaceIndex() {
        for (String key : List.of("a/p1", "a/p2", "ab/p3", "b/p4")) {
            String[] part = key.split("/");
            client.pods().inNamespace(part[0]).resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                    .withNewMetadata().withNamespace(part[0]).withName(part[1]).endMetadata().build()).create();
        }
        SharedInformers informers = new SharedInformers(() -> client, 500);
        Subscription<io.fabric8.kubernetes.api.model.Pod> pods = informers.subscribe(ControllerKinds.PODS, recording(new ArrayList<>()));
        try {
            pods.started().join();
            assertThat(pods.inNamespace("a")).extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrder("p1", "p2");
            assertThat(pods.inNamespace("b")).extracting(p -> p.getMetadata().getName()).containsExactly("p4");
            assertThat(pods.inNamespace("c")).isEmpty();
        } finally {
            pods.close();
        }
    }
}
