package dev.headstart.telemetry;

import dev.headstart.controller.OnChange;
import dev.headstart.cluster.Component;
import dev.headstart.testing.ComponentClient;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The controller path against the fabric8 mock API server: informers (as the shared informers
 * will) deliver pods, nodes and events moving through their conditions to {@link StartupTelemetry};
 * a second replica taking over with informers of its own counts nothing twice.
 */
@EnableKubernetesMockClient(crud = true)
class StartupTelemetryInformerTest {

    KubernetesMockServer server;
    KubernetesClient client;

    /** One replica's informers feeding its telemetry, as the controller will wire them. */
    final class Replica implements AutoCloseable {
        final MeterRegistry registry = new SimpleMeterRegistry();
        final List<SharedIndexInformer<?>> informers = new ArrayList<>();
        final StartupTelemetry telemetry;

        /** The informers are the controller's: they ask with its identity (the RBAC check counts them). */
        final KubernetesClient controller = ComponentClient.of(Component.CONTROLLER, server, client);

        Replica(Instant leadsFrom) {
            SharedIndexInformer<Pod> pods = controller.pods().inAnyNamespace().runnableInformer(0);
            telemetry = new StartupTelemetry(registry,
                    (ns, name) -> Optional.ofNullable(pods.getStore().getByKey(ns + "/" + name)),
                    Clock.systemUTC(), StartupTelemetry.DEFAULT_HORIZON);
            telemetry.begin(leadsFrom);
            pods.addEventHandler(new OnChange<>(telemetry::onPod, telemetry::onPodDeleted));
            SharedIndexInformer<Node> nodes = controller.nodes().runnableInformer(0);
            nodes.addEventHandler(new OnChange<>(telemetry::onNode, telemetry::onNodeDeleted));
            SharedIndexInformer<Event> events = controller.v1().events().inAnyNamespace().runnableInformer(0);
            events.addEventHandler(new ResourceEventHandler<>() {
                @Override
                public void onAdd(Event event) {
                    telemetry.onEventAdded(event);
                }

                @Override
                public void onUpdate(Event old, Event event) {
                }

                @Override
                public void onDelete(Event event, boolean unknown) {
                }
            });
            informers.addAll(List.of(pods, nodes, events));
            informers.forEach(i -> i.start().toCompletableFuture().join());
        }

        long count(String name, String... tags) {
            return registry.get(name).tags(tags).timer().count();
        }

        double seconds(String name, String... tags) {
            return registry.get(name).tags(tags).timer().totalTime(TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            telemetry.end();
            informers.forEach(SharedIndexInformer::close);
            controller.close();
        }
    }

    private Pod createPod(String name, boolean headstart) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).withNamespace("shop").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("app:1").endContainer().endSpec();
        if (headstart) {
            pod.editMetadata().addToAnnotations(PodStartup.APPLIED_ANNOTATION, "startup-probe").endMetadata();
        }
        return client.resource(pod.build()).create();
    }

    /** Moves the pod's conditions: each {@code type=secondsAfterCreation}. */
    private void conditions(Pod pod, Map<String, Integer> after) {
        Instant created = OffsetDateTime.parse(pod.getMetadata().getCreationTimestamp()).toInstant();
        List<PodCondition> conditions = new ArrayList<>();
        after.forEach((type, seconds) -> conditions.add(new PodConditionBuilder().withType(type).withStatus("True")
                .withLastTransitionTime(created.plusSeconds(seconds).toString()).build()));
        Pod current = client.pods().inNamespace("shop").withName(pod.getMetadata().getName()).get();
        current.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withConditions(conditions)
                .addNewContainerStatus().withName("app").withRestartCount(0).endContainerStatus().build());
        client.resource(current).updateStatus();
    }

    @Test
    void podsNodesAndPullsThroughInformersAndALeaderChange() throws Exception {
        Pod before = createPod("before", true);
        conditions(before, Map.of("PodScheduled", 1, "Initialized", 2, "Ready", 3));
        Instant leadsFrom = OffsetDateTime.parse(before.getMetadata().getCreationTimestamp()).toInstant().plusMillis(500);
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), leadsFrom.plusSeconds(1)).toMillis() + 50));
        try (Replica a = new Replica(leadsFrom)) {
            Pod web = createPod("web", true);
            conditions(web, Map.of("PodScheduled", 2));
            conditions(web, Map.of("PodScheduled", 2, "Initialized", 5));
            client.resource(new EventBuilder().withNewMetadata().withName("web.1").withNamespace("shop").endMetadata()
                    .withReason("Pulled").withMessage("Successfully pulled image \"app:1\" in 2.5s (2.5s including waiting)")
                    .withFirstTimestamp(Instant.now().toString()).withNewInvolvedObject().withKind("Pod")
                    .withNamespace("shop").withName("web").withUid(web.getMetadata().getUid()).endInvolvedObject().build())
                    .create();
            conditions(web, Map.of("PodScheduled", 2, "Initialized", 5, "Ready", 15));
            Pod legacy = createPod("legacy", false);
            conditions(legacy, Map.of("PodScheduled", 20, "Initialized", 25, "Ready", 70));
            Node node = client.resource(new NodeBuilder().withNewMetadata().withName("n1")
                    .addToAnnotations(NodeStartup.WARM_POOL_ANNOTATION, "true").endMetadata().build()).create();
            Instant nodeCreated = OffsetDateTime.parse(node.getMetadata().getCreationTimestamp()).toInstant();
            node.setStatus(new io.fabric8.kubernetes.api.model.NodeStatusBuilder().addNewCondition().withType("Ready")
                    .withStatus("True").withLastTransitionTime(nodeCreated.plusSeconds(1).toString()).endCondition().build());
            client.resource(node).updateStatus();
            eventually(Duration.ofSeconds(20), () -> {
                assertThat(a.count("headstart.pod.startup", "phase", "total", "headstart", "on")).isEqualTo(1);
                assertThat(a.count("headstart.pod.startup", "phase", "total", "headstart", "off")).isEqualTo(1);
                assertThat(a.count("headstart.image.pull", "headstart", "on")).isEqualTo(1);
                assertThat(a.count("headstart.node.startup", "phase", "ready", "warm_pool", "true")).isEqualTo(1);
            });
            assertThat(a.seconds("headstart.pod.startup", "phase", "total", "headstart", "on")).isEqualTo(15.0);
            assertThat(a.seconds("headstart.pod.startup", "phase", "startup", "headstart", "on")).isEqualTo(10.0);
            assertThat(a.seconds("headstart.pod.startup", "phase", "scheduling", "headstart", "off")).isEqualTo(20.0);
            assertThat(a.seconds("headstart.pod.startup", "phase", "total", "headstart", "off")).isEqualTo(70.0);
            assertThat(a.seconds("headstart.image.pull", "headstart", "on")).isEqualTo(2.5);
            assertThat(a.seconds("headstart.node.startup", "phase", "ready", "warm_pool", "true")).isEqualTo(1.0);
            // "before" was created before this replica led: never counted, however often it is seen
            assertThat(a.registry.get("headstart.pod.startup").timers().stream().mapToLong(t -> t.count()).sum())
                    .isEqualTo(8); // web: 4 phases, legacy: 4 phases
        }
        // a leader change: replica b leads from now, with informers of its own (their initial lists
        // deliver every pod, node and event again)
        // (the node became Ready a second after it was created: before b leads)
        Thread.sleep(1100);
        Instant bLeads = Instant.now();
        Thread.sleep(1100);
        try (Replica b = new Replica(bLeads)) {
            Pod late = createPod("late", false);
            conditions(late, Map.of("Ready", 9));
            eventually(Duration.ofSeconds(20), () ->
                    assertThat(b.count("headstart.pod.startup", "phase", "total", "headstart", "off")).isEqualTo(1));
            Thread.sleep(500); // let anything else the initial lists brought arrive
            assertThat(b.seconds("headstart.pod.startup", "phase", "total", "headstart", "off")).isEqualTo(9.0);
            assertThat(b.count("headstart.pod.startup", "phase", "total", "headstart", "on")).isZero();
            assertThat(b.count("headstart.image.pull", "headstart", "on")).isZero();
            assertThat(b.count("headstart.node.startup", "phase", "ready", "warm_pool", "true")).isZero();
        }
    }
}
