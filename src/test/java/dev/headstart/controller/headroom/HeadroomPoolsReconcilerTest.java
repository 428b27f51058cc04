package dev.headstart.controller.headroom;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 25: spot and on-demand groups in three zones, described in one ConfigMap. */
class HeadroomPoolsReconcilerTest extends HeadroomMockClusterTest {


    private static final String SPOT_AND_ON_DEMAND = """
            {"pools":[
              {"name":"spot","nodeSelector":{"node-group":"spot"},"tolerations":["spot=true:NoSchedule"],
               "linear":{"nodesPerReplica":3,"min":0},"shape":{"cpu":"2","memory":"4Gi"},
               "zones":{"spread":true,"minPerZone":1}},
              {"name":"on-demand","nodeSelector":{"node-group":"on-demand"},"percentage":{"cpu":25},
               "shape":{"cpu":"1","memory":"2Gi"}}
            ]}""";

    @BeforeEach
    void setUp() {
        String[] zones = {"eu-west-1a", "eu-west-1b", "eu-west-1c"};
        for (int i = 0; i < 12; i++) {
            Node spot = Nodes.tainted("spot-" + i, "8", "spot", "true", "NoSchedule");
            spot.getMetadata().getLabels().put("node-group", "spot");
            spot.getMetadata().getLabels().put("topology.kubernetes.io/zone", zones[i % 3]);
            client.nodes().resource(spot).create();
        }
        for (int i = 0; i < 2; i++) {
            Node node = Nodes.labelled("od-" + i, "8", "node-group", "on-demand");
            node.getMetadata().getLabels().put("topology.kubernetes.io/zone", zones[i]);
            client.nodes().resource(node).create();
        }
    }

    private Map<String, Integer> replicasByDeployment() {
        return client.apps().deployments().inNamespace(NS).list().getItems().stream().collect(Collectors.toMap(
                d -> d.getMetadata().getName(), d -> d.getSpec().getReplicas(), (a, b) -> a, TreeMap::new));
    }

    private List<Event> events() {
        return client.v1().events().inNamespace(NS).list().getItems();
    }

    @Test
    void eachPoolGetsItsDeploymentsPlacedShapedAndSpreadAndASteadyClusterSeesNoWrites() {
        params(SPOT_AND_ON_DEMAND);
        reconciler.reconcile();

        // spot: 12 nodes / 3 = 4, spread 2-1-1; on-demand: 25% of 16 cores = 4 pods of 1 CPU.
        assertThat(replicasByDeployment()).isEqualTo(Map.of(
                "headstart-headroom-spot-eu-west-1a", 2, "headstart-headroom-spot-eu-west-1b", 1,
                "headstart-headroom-spot-eu-west-1c", 1, "headstart-headroom-on-demand", 4));
        assertThat(reconciler.zones().get("spot")).isEqualTo(Map.of("eu-west-1a", 2, "eu-west-1b", 1, "eu-west-1c", 1));
        assertThat(reconciler.plans().get("spot").nodes()).isEqualTo(12);
        assertThat(reconciler.plans().get("on-demand").cores()).isEqualTo(16);

        Deployment a = client.apps().deployments().inNamespace(NS).withName("headstart-headroom-spot-eu-west-1a").get();
        PodSpec pod = a.getSpec().getTemplate().getSpec();
        assertThat(pod.getNodeSelector()).isEqualTo(Map.of("node-group", "spot", "kubernetes.io/os", "linux",
                "topology.kubernetes.io/zone", "eu-west-1a"));
        assertThat(pod.getTolerations()).hasSize(1);
        assertThat(pod.getTolerations().get(0).getKey()).isEqualTo("spot");
        assertThat(pod.getContainers().get(0).getResources().getRequests())
                .isEqualTo(Map.of("cpu", new Quantity("2"), "memory", new Quantity("4Gi")));
        assertThat(a.getMetadata().getLabels()).containsEntry("headstart.dev/headroom-pool", "spot")
                .containsEntry("headstart.dev/headroom-zone", "eu-west-1a");
        assertThat(a.getSpec().getSelector().getMatchLabels())
                .isEqualTo(Map.of("app.kubernetes.io/name", "headstart-headroom-spot-eu-west-1a"));
        assertThat(metrics.get("headstart.headroom.replicas").tag("pool", "spot").gauge().value()).isEqualTo(4.0);
        assertThat(metrics.get("headstart.headroom.replicas").tag("pool", "on-demand").gauge().value()).isEqualTo(4.0);

        Map<String, String> versions = client.apps().deployments().inNamespace(NS).list().getItems().stream()
                .collect(Collectors.toMap(d -> d.getMetadata().getName(), d -> d.getMetadata().getResourceVersion()));
        reconciler.reconcile();
        reconciler.reconcile();
        assertThat(client.apps().deployments().inNamespace(NS).list().getItems().stream()
                .collect(Collectors.toMap(d -> d.getMetadata().getName(), d -> d.getMetadata().getResourceVersion())))
                .as("no write in a steady cluster").isEqualTo(versions);
    }

    @Test
    void aBadPoolBesideAGoodOneIsReportedAndTheGoodOneApplies() {
        params(SPOT_AND_ON_DEMAND);
        reconciler.reconcile();
        params(SPOT_AND_ON_DEMAND.replace("\"percentage\":{\"cpu\":25}", "\"percentage\":{\"cpu\":250}")
                .replace("\"nodesPerReplica\":3", "\"nodesPerReplica\":2"));
        reconciler.reconcile();

        Map<String, Integer> replicas = replicasByDeployment();
        assertThat(replicas.get("headstart-headroom-spot-eu-west-1a")).as("the good pool follows its new spec").isEqualTo(2);
        assertThat(replicas.values().stream().filter(r -> r != null).mapToInt(Integer::intValue).sum()).isEqualTo(6 + 4);
        assertThat(replicas.get("headstart-headroom-on-demand")).as("the bad pool keeps its last good spec").isEqualTo(4);
        assertThat(events()).hasSize(1);
        Event event = events().get(0);
        assertThat(event.getReason()).isEqualTo("InvalidHeadroomPool");
        assertThat(event.getInvolvedObject().getName()).isEqualTo("headstart-headroom");
        assertThat(event.getMessage()).contains("pool on-demand").contains("percentage.cpu").contains("last good spec stays");
        assertThat(metrics.get("headstart.headroom.pool.errors").tag("pool", "on-demand").counter().count()).isEqualTo(1.0);

        reconciler.reconcile();
        assertThat(events()).as("once per ConfigMap version").hasSize(1);
    }

    @Test
    void aRemovedPoolOrZoneHasItsObjectsRemovedAndOnlyHeadstartsOwn() {
        params(SPOT_AND_ON_DEMAND);
        reconciler.reconcile();
        client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder().withNewMetadata()
                .withName("someone-elses").withNamespace(NS).addToLabels("app.kubernetes.io/managed-by", "headstart")
                .endMetadata().withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("a", "b").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("a", "b").endMetadata().withNewSpec()
                .addNewContainer().withName("c").withImage("nginx").endContainer().endSpec().endTemplate()
                .endSpec().build()).create();

        // on-demand removed, spot no longer spread.
        params("""
                {"pools":[
                  {"name":"spot","nodeSelector":{"node-group":"spot"},"tolerations":["spot=true:NoSchedule"],
                   "linear":{"nodesPerReplica":3,"min":0},"shape":{"cpu":"2","memory":"4Gi"}}
                ]}""");
        reconciler.reconcile();

        assertThat(replicasByDeployment()).isEqualTo(Map.of("headstart-headroom-spot", 4, "someone-elses", 1));
        assertThat(metrics.get("headstart.headroom.replicas").tag("pool", "on-demand").gauge().value()).isZero();
    }

    @Test
    void theCpaFormStillKeepsOneDeploymentNamedAsBefore() {
        params("{\"linear\":{\"nodesPerReplica\":1}}");
        reconciler.reconcile();
        // Only untainted on-demand nodes count for placeholders without tolerations.
        assertThat(replicasByDeployment()).isEqualTo(Map.of("headstart-headroom", 2));
        params(SPOT_AND_ON_DEMAND);
        reconciler.reconcile();
        assertThat(replicasByDeployment()).doesNotContainKey("headstart-headroom").hasSize(4);
    }

    /** Issue 25, schedules: no node or ConfigMap event happens when a window opens; a timer wakes the pass. */
    @Test
    void aWindowOpeningWakesTheReconcilerAtItsBoundaryWithoutAnyEvent() throws Exception {
        java.time.Instant real = java.time.Instant.now();
        java.time.Instant boundary = real.truncatedTo(java.time.temporal.ChronoUnit.MINUTES).plus(java.time.Duration.ofMinutes(2));
        java.time.Instant before = boundary.minusSeconds(3);
        // The reconciler's clock reads three seconds before the boundary, and stands still there until
        // the first pass has been checked (a loaded host may take longer than three seconds to start
        // the reconciler); then it runs. The resync (5 min) cannot help.
        SettableClock clock = new SettableClock(java.time.Clock.fixed(before, java.time.ZoneOffset.UTC));
        reconciler.clock(clock);
        java.time.ZonedDateTime b = boundary.atZone(java.time.ZoneOffset.UTC);
        params("{\"pools\":[{\"name\":\"on-demand\",\"nodeSelector\":{\"node-group\":\"on-demand\"},"
                + "\"percentage\":{\"cpu\":25},\"schedules\":[{\"name\":\"burst\",\"cron\":\"" + b.getMinute() + " "
                + b.getHour() + " * * *\",\"duration\":\"10m\",\"timeZone\":\"UTC\",\"replicas\":7}]}]}");
        reconciler.start();
        try {
            awaitReplicas("headstart-headroom-on-demand", 4);
            assertThat(replicasByDeployment()).containsEntry("headstart-headroom-on-demand", 4);
            assertThat(reconciler.windows()).doesNotContainKey("on-demand");
            clock.set(java.time.Clock.offset(java.time.Clock.systemUTC(), java.time.Duration.between(java.time.Instant.now(), before)));
            awaitReplicas("headstart-headroom-on-demand", 7);
            assertThat(reconciler.windows()).containsEntry("on-demand", "burst");
        } finally {
            reconciler.stop();
        }
    }

    /** A clock a test can stop and start: the reconciler reads it on each pass. */
    static final class SettableClock extends java.time.Clock {
        private volatile java.time.Clock current;

        SettableClock(java.time.Clock start) {
            current = start;
        }

        void set(java.time.Clock next) {
            current = next;
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.time.Instant instant() {
            return current.instant();
        }
    }

    private void awaitReplicas(String name, int replicas) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Deployment d = client.apps().deployments().inNamespace(NS).withName(name).get();
            if (d != null && d.getSpec().getReplicas() == replicas) {
                return;
            }
            Thread.sleep(100);
        }
        assertThat(replicasByDeployment()).as("within 30 s").containsEntry(name, replicas);
    }
}
