package dev.headstart.controller.warmpool;

import dev.headstart.cluster.Component;
import dev.headstart.testing.ComponentClient;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;

import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every warm-pool test against a cluster sets up the same way: the fabric8 mock API server
 * (CRUD), a client of it that identifies as the controller for the code under test, the Auto
 * Scaling stub with the real AWS SDK gateway talking to it, and a meter registry; after each test
 * the reconciler it started is stopped and all of it closed.
 */
@EnableKubernetesMockClient(crud = true)
abstract class WarmPoolMockClusterTest {

    /** The warm-up taint as the tests configure it ({@code headstart.warm-pool.taint}). */
    static final String WARMUP_TAINT = "headstart.dev/warmup=true:NoSchedule";

    KubernetesMockServer server;
    /** Fixtures; the code under test gets {@link #controller}, a client that identifies as the controller. */
    KubernetesClient client;
    KubernetesClient controller;
    AutoScalingStub stub;
    SdkAutoScalingGateway gateway;
    SimpleMeterRegistry registry;
    /** The reconciler the test started ({@link #start(WarmPoolReconciler)}), stopped after it. */
    WarmPoolReconciler reconciler;

    /** A Node as a kubelet on an EC2 instance registers it: its provider ID, and Ready. Tests add what they need. */
    static NodeBuilder registeredNode(String name, String instanceId) {
        return new NodeBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withProviderID("aws:///us-east-1a/" + instanceId).endSpec()
                .withNewStatus()
                    .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady").endCondition()
                .endStatus();
    }

    @BeforeEach
    void setUpCluster() throws Exception {
        controller = ComponentClient.of(Component.CONTROLLER, server, client);
        stub = new AutoScalingStub();
        gateway = stub.gateway();
        registry = new SimpleMeterRegistry();
    }

    @AfterEach
    void tearDownCluster() {
        if (reconciler != null) {
            reconciler.stop();
        }
        gateway.close();
        stub.close();
        controller.close();
    }

    /** How long {@link #passes} waits; a test class whose informers sync slowly waits longer. */
    Duration patience() {
        return Duration.ofSeconds(15);
    }

    /** Starts the reconciler under test; it is stopped after the test. */
    WarmPoolReconciler start(WarmPoolReconciler started) {
        reconciler = started;
        started.start();
        return started;
    }

    /** Waits until at least {@code more} further passes have run. */
    void passes(long more) {
        long from = reconciler.passes();
        eventually(patience(), () -> assertThat(reconciler.passes()).isGreaterThanOrEqualTo(from + more));
    }

    /** The warm-up taint as it stands on a Node. */
    static Taint warmup() {
        return new Taint("NoSchedule", "headstart.dev/warmup", null, "true");
    }

    /** The cloud provider's taint on the Node of a stopped instance. */
    static Taint shutdown() {
        return new Taint("NoSchedule", WarmPoolReconciler.SHUTDOWN_TAINT, null, null);
    }
}
