package dev.headstart.cluster;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.HttpClientUtils;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A LIST response is decoded, and the informer store filled from it, on a worker thread; with the
 * plain Vert.x client both happen on its event loop.
 */
@EnableKubernetesMockClient(crud = true)
class OffEventLoopHttpClientTest {

    KubernetesMockServer server;
    KubernetesClient client;

    /** The threads an informer's store was filled on during its initial list. */
    static Set<String> listThreads(KubernetesClient kube) {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        SharedIndexInformer<Node> informer = kube.nodes().withLimit(2L).runnableInformer(0);
        informer.itemStore(new BasicItemStore<>(Cache::metaNamespaceKeyFunc) {
            @Override
            public Node put(String key, Node obj) {
                threads.add(Thread.currentThread().getName().replaceAll("-?\\d+$", ""));
                return super.put(key, obj);
            }
        });
        try {
            informer.start().toCompletableFuture().join();
            return threads;
        } finally {
            informer.close();
        }
    }

    @Test
    void listsAreDecodedOnWorkerThreadsNotTheEventLoop() {
        for (int i = 0; i < 3; i++) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n" + i).endMetadata().build()).create();
        }
        ExecutorService decoding = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-decode-1"));
        try (KubernetesClient plain = new KubernetesClientBuilder().withConfig(client.getConfiguration()).build();
             KubernetesClient offLoop = new KubernetesClientBuilder().withConfig(client.getConfiguration())
                     .withHttpClientFactory(new OffEventLoopHttpClientFactory(HttpClientUtils.getHttpClientFactory(), decoding))
                     .build()) {
            // The store may also be filled from a watch event, on the informer's own executor, once the
            // list is done: what matters is where the list lands, and that it never lands on the loop.
            assertThat(listThreads(plain)).as("the plain client").contains("vert.x-eventloop-thread");
            assertThat(listThreads(offLoop)).as("with OffEventLoopHttpClient").contains("test-decode")
                    .doesNotContain("vert.x-eventloop-thread");
        } finally {
            decoding.shutdownNow();
        }
    }
}
