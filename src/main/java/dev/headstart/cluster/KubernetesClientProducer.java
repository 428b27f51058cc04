package dev.headstart.cluster;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.HttpClientUtils;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Kubernetes client, as Quarkus builds it (its {@link Config} and serialization, its Vert.x HTTP
 * client) except that responses are decoded on two worker threads instead of the Vert.x event loop
 * ({@link OffEventLoopHttpClient}). Replaces Quarkus's default client bean.
 */
@Singleton
public class KubernetesClientProducer {

    private static final int DECODING_THREADS = 2;

    private final ExecutorService decoding = decodingThreads();

    @Produces
    @Singleton
    KubernetesClient kubernetesClient(KubernetesSerialization serialization, Config config) {
        return new KubernetesClientBuilder()
                .withKubernetesSerialization(serialization)
                .withConfig(config)
                .withHttpClientFactory(new OffEventLoopHttpClientFactory(HttpClientUtils.getHttpClientFactory(), decoding))
                .build();
    }

    void close(@Disposes KubernetesClient client) {
        client.close();
        decoding.shutdown();
    }

    private static ExecutorService decodingThreads() {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(DECODING_THREADS, DECODING_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "headstart-kube-decode-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
