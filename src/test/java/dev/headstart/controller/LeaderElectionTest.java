package dev.headstart.controller;

import dev.headstart.cluster.Component;
import dev.headstart.testing.ComponentClient;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import static dev.headstart.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

@EnableKubernetesMockClient(crud = true)
class LeaderElectionTest {

    private static final String NS = "headstart-system";
    private static final Duration LEASE = Duration.ofSeconds(2);

    KubernetesMockServer server;
    /** Fixtures; electors get {@link #controller}, a client that identifies as the controller. */
    KubernetesClient client;
    private KubernetesClient controller;
    private final List<LeaderElection> electors = new ArrayList<>();

    @BeforeEach
    void controllerClient() {
        controller = ComponentClient.of(Component.CONTROLLER, server, client);
    }

    @AfterEach
    void stopAll() {
        electors.forEach(LeaderElection::stop);
        controller.close();
    }

    private LeaderElection elector(String identity, RecordingTask task, MeterRegistry registry) {
        LeaderElection election = new LeaderElection(controller, new LeaderElection.Settings(NS, "headstart-controller",
                identity, LEASE, Duration.ofMillis(1500), Duration.ofMillis(200)), () -> List.of(task), registry);
        electors.add(election);
        return election;
    }

    private Lease lease() {
        return client.resources(Lease.class).inNamespace(NS).withName("headstart-controller").get();
    }

    private static double leaderGauge(MeterRegistry registry) {
        return registry.get("headstart.controller.leader").gauge().value();
    }

    @Test
    void onlyOneLeadsAndTheStandbyTakesOverWhenTheLeaderStops() throws Exception {
        RecordingTask taskA = new RecordingTask();
        RecordingTask taskB = new RecordingTask();
        MeterRegistry metricsA = new SimpleMeterRegistry();
        MeterRegistry metricsB = new SimpleMeterRegistry();
        LeaderElection a = elector("replica-a", taskA, metricsA);
        LeaderElection b = elector("replica-b", taskB, metricsB);

        a.start();
        await(Duration.ofSeconds(30), "replica-a leads", a::isLeader);
        b.start();
        assertThat(taskA.running).isTrue();
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("replica-a");
        assertThat(leaderGauge(metricsA)).isEqualTo(1.0);

        // b keeps trying for longer than a lease, and never leads while a renews.
        sleep(LEASE.plusMillis(500));
        assertThat(b.isLeader()).isFalse();
        assertThat(taskB.starts).hasValue(0);
        assertThat(leaderGauge(metricsB)).isEqualTo(0.0);

        // what the mock server received so far: only the writes from the stop on are looked at
        dev.headstart.testing.ApiRequestRecorder.takeAll(server);
        a.stop();
        assertThat(taskA.running).isFalse();
        assertThat(leaderGauge(metricsA)).isEqualTo(0.0);
        await(Duration.ofSeconds(30), "replica-b takes over", b::isLeader);
        // b took over because a released the lease (no holder), not because it expired: the release
        // is in the mock server's request log. (Not timed: a loaded host may take longer than a lease.)
        assertThat(leaseWritesSinceLastLook()).as("the lease writes after a stopped")
                .anySatisfy(spec -> assertThat(spec.path("holderIdentity").asText("")).isEmpty());
        assertThat(taskB.running).isTrue();
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("replica-b");
        assertThat(leaderGauge(metricsB)).isEqualTo(1.0);
    }

    @Test
    void aStandbyTakesOverACrashedLeadersLeaseOnceItExpires() {
        client.namespaces().list(); // the first request sets up the connection (seconds): keep it out of the lease
        client.resources(Lease.class).inNamespace(NS).resource(new LeaseBuilder()
                .withNewMetadata().withName("headstart-controller").withNamespace(NS).endMetadata()
                .withNewSpec()
                    .withHolderIdentity("crashed-replica")
                    .withLeaseDurationSeconds(2)
                    .withAcquireTime(ZonedDateTime.now())
                    .withRenewTime(ZonedDateTime.now())
                    .withLeaseTransitions(0)
                .endSpec()
                .build()).create();
        RecordingTask task = new RecordingTask();
        LeaderElection standby = elector("replica-b", task, new SimpleMeterRegistry());

        standby.start();
        sleep(Duration.ofMillis(800));
        assertThat(standby.isLeader()).as("the lease is still valid").isFalse();
        await(Duration.ofSeconds(30), "standby acquires the expired lease", standby::isLeader);
        assertThat(task.running).isTrue();
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("replica-b");
    }

    @Test
    void losingTheLeaseStopsEveryTaskAndTheLoserStandsByAgain() {
        RecordingTask task = new RecordingTask();
        MeterRegistry metrics = new SimpleMeterRegistry();
        LeaderElection a = elector("replica-a", task, metrics);
        a.start();
        await(Duration.ofSeconds(30), "replica-a leads", a::isLeader);

        // Someone else holds the lease now (say, after a network partition healed on their side).
        await(Duration.ofSeconds(30), "lease taken over by replica-z", () -> {
            try {
                client.resources(Lease.class).inNamespace(NS).withName("headstart-controller").edit(lease -> {
                    lease.getSpec().setHolderIdentity("replica-z");
                    lease.getSpec().setLeaseDurationSeconds(3);
                    lease.getSpec().setRenewTime(ZonedDateTime.now());
                    return lease;
                });
                return true;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException conflict) {
                return false; // replica-a renewed in between
            }
        });
        await(Duration.ofSeconds(30), "replica-a stops leading", () -> !a.isLeader());
        assertThat(task.running).isFalse();
        assertThat(task.stops).hasValue(1);
        assertThat(leaderGauge(metrics)).isEqualTo(0.0);

        // replica-z never renews: replica-a rejoined as standby and leads again once the lease expires.
        await(Duration.ofSeconds(30), "replica-a leads again", a::isLeader);
        assertThat(task.starts).hasValue(2);
    }

    /** The specs of the Lease writes (PUT, PATCH) the mock server received since the last look. */
    private List<com.fasterxml.jackson.databind.JsonNode> leaseWritesSinceLastLook() throws Exception {
        List<com.fasterxml.jackson.databind.JsonNode> specs = new ArrayList<>();
        for (var request : dev.headstart.testing.ApiRequestRecorder.takeAll(server)) {
            if ((request.getMethod().equals("PUT") || request.getMethod().equals("PATCH"))
                    && request.getPath().replaceFirst("\\?.*", "").endsWith("/leases/headstart-controller")) {
                specs.add(dev.headstart.json.Json.MAPPER.readTree(request.getUtf8Body()).path("spec"));
            }
        }
        return specs;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
