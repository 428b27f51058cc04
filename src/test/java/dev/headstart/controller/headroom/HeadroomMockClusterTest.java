package dev.headstart.controller.headroom;

import dev.headstart.cluster.Component;
import dev.headstart.testing.ComponentClient;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.List;
import java.util.Map;

/**
 * What the headroom reconciler tests against a cluster set up the same way: the fabric8 mock API
 * server (CRUD), a client of it that identifies as the controller for the code under test, a meter
 * registry, and a reconciler with the default settings in {@link #NS}; after each test the
 * reconciler is stopped and the client closed. Each test class adds its own nodes.
 */
@EnableKubernetesMockClient(crud = true)
abstract class HeadroomMockClusterTest {

    static final String NS = "headstart-system";

    KubernetesMockServer server;
    /** Fixtures; the code under test gets {@link #controller}. */
    KubernetesClient client;
    KubernetesClient controller;
    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    HeadroomReconciler reconciler;

    @BeforeEach
    void setUpCluster() {
        controller = ComponentClient.of(Component.CONTROLLER, server, client);
        reconciler = new HeadroomReconciler(controller, HeadroomObjectsTest.settings(Map.of(), List.of(), "1"), metrics);
    }

    @AfterEach
    void tearDownCluster() {
        reconciler.stop();
        controller.close();
    }

    /** Writes the headroom ConfigMap's {@code params} (created, or replaced). */
    void params(String json) {
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("headstart-headroom")
                .withNamespace(NS).endMetadata().withData(Map.of("params", json)).build())
                .createOr(existing -> existing.update());
    }
}
