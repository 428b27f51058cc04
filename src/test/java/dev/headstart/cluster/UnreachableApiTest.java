package dev.headstart.cluster;

import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A configured cluster whose API cannot be reached at start: one clear log line naming where, and
 * the cache syncs once the API answers (fabric8's default gave up after the first failed list, so
 * readiness stayed DOWN forever).
 */
class UnreachableApiTest {

    @Test
    void cacheRetriesUntilTheApiAnswersAndSaysWhereOnce() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(String.valueOf(record.getMessage()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(WebhookCache.class.getName());
        logger.addHandler(capture);
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + port)
                .withRequestRetryBackoffLimit(0).withWatchReconnectInterval(100).build();
        KubernetesMockServer server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(),
                new HashMap<>(), new KubernetesMixedDispatcher(new HashMap<>()), false);
        WebhookCache<PriorityClass> cache = new WebhookCache<>("PriorityClass",
                new ClusterAccess(true, "KUBECONFIG /home/dev/.kube/config"), true);
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
            cache.start(() -> client.scheduling().v1().priorityClasses().runnableInformer(0),
                    () -> client.getMasterUrl().toString());
            eventually(java.time.Duration.ofSeconds(30), () -> assertThat(lines).anyMatch(l -> l.contains("cannot be reached")));
            assertThat(cache.synced()).isFalse();

            server.start(port);
            try (KubernetesClient admin = server.createClient()) {
                admin.scheduling().v1().priorityClasses().resource(new PriorityClassBuilder()
                        .withNewMetadata().withName("headstart-high").endMetadata().withValue(7).build()).create();
            }
            eventually(java.time.Duration.ofSeconds(30), () -> assertThat(cache.synced()).isTrue());
            eventually(java.time.Duration.ofSeconds(30), () -> assertThat(cache.get("headstart-high")).isNotNull());
        } finally {
            cache.stop();
            server.shutdown();
            logger.removeHandler(capture);
        }
        assertThat(lines.stream().filter(l -> l.contains("cannot be reached")).toList()).singleElement().asString()
                .startsWith("PriorityClass cache: the Kubernetes API at http://127.0.0.1:" + port
                        + "/ (KUBECONFIG /home/dev/.kube/config) cannot be reached: ")
                .endsWith("; retrying, readiness stays DOWN until it answers");
    }
}
