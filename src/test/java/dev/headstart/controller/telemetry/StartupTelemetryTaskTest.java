package dev.headstart.controller.telemetry;

import dev.headstart.testing.ApiRequestRecorder;
import dev.headstart.cluster.Component;
import dev.headstart.controller.OnChange;
import dev.headstart.controller.informers.CachedKind;
import dev.headstart.controller.informers.ControllerKinds;
import dev.headstart.controller.informers.SharedInformers;
import dev.headstart.controller.informers.Subscription;
import dev.headstart.telemetry.NodeStartup;
import dev.headstart.telemetry.PodStartup;
import dev.headstart.testing.ComponentClient;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The controller's wiring of the startup telemetry on the fabric8 mock API server: the leader task
 * subscribes the shared pod, node and Pulled-event informers; pods and nodes move through their
 * conditions; the histograms hold exactly the expected observations; leadership lost and regained,
 * and a new leader elsewhere, count nothing twice.
 */
@EnableKubernetesMockClient(crud = true)
class StartupTelemetryTaskTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    /**
     * The Pulled events as the controller lists them, but without the {@code reason} field
     * selector, which the mock API server cannot evaluate (it only knows metadata fields and would
     * answer nothing); {@link #pulledEventsAreSelectedByTheApiServer} holds the selector itself.
     */
    static final CachedKind<Event> EVENTS_FOR_THE_MOCK = new CachedKind<>(ControllerKinds.PULLED_EVENTS.name(),
            Event.class, ControllerKinds.PULLED_EVENTS.startOrder(), client -> client.v1().events().inAnyNamespace(),
            ControllerKinds.PULLED_EVENTS.storedFields(), Map.of());

    KubernetesMockServer server;
    /** Fixtures; the code under test gets {@link #controller}. */
    KubernetesClient client;
    KubernetesClient controller;
    final List<StartupTelemetryTask> tasks = new ArrayList<>();

    @BeforeEach
    void setUp() {
        controller = ComponentClient.of(Component.CONTROLLER, server, client);
    }

    @AfterEach
    void tearDown() {
        tasks.forEach(StartupTelemetryTask::stop);
        controller.close();
    }

    /** One replica: its informers and its registry. */
    record Replica(SharedInformers informers, MeterRegistry registry, StartupTelemetryTask task) {
        long count(String name, String... tags) {
            return registry.get(name).tags(tags).timer().count();
        }

        double seconds(String name, String... tags) {
            return registry.get(name).tags(tags).timer().totalTime(TimeUnit.SECONDS);
        }

        long observations(String name) {
            return registry.get(name).timers().stream().mapToLong(Timer::count).sum();
        }

        double pulls(String cached, String group) {
            return registry.get("headstart.image.pulls").tags("cached", cached, "headstart", group).counter().count();
        }
    }

    Replica replica() {
        SharedInformers informers = new SharedInformers(() -> controller, 500);
        MeterRegistry registry = new SimpleMeterRegistry();
        StartupTelemetryTask task = new StartupTelemetryTask(informers, registry, Clock.systemUTC(), EVENTS_FOR_THE_MOCK, true);
        tasks.add(task);
        return new Replica(informers, registry, task);
    }

    /** Starts leading, then waits past the second it started in (API times have whole seconds). */
    static void lead(Replica replica) throws InterruptedException {
        replica.task().start();
        eventually(WAIT, () -> assertThat(replica.informers().active()).contains("pods", "nodes", "events/pulled"));
        Thread.sleep(1100);
    }

    Pod createPod(String name, boolean headstart) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).withNamespace("shop").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("app:1").endContainer().endSpec();
        if (headstart) {
            pod.editMetadata().addToAnnotations(PodStartup.APPLIED_ANNOTATION, "startup-probe")
                    .addToAnnotations("unrelated/annotation", "x".repeat(2_000)).endMetadata();
        }
        return client.resource(pod.build()).create();
    }

    /** Sets the pod's conditions: each {@code type=secondsAfterCreation}, in order of arrival. */
    void conditions(Pod pod, Map<String, Integer> after) {
        Instant created = OffsetDateTime.parse(pod.getMetadata().getCreationTimestamp()).toInstant();
        List<PodCondition> conditions = new ArrayList<>();
        after.forEach((type, seconds) -> conditions.add(new PodConditionBuilder().withType(type).withStatus("True")
                .withLastTransitionTime(created.plusSeconds(seconds).toString()).build()));
        Pod current = client.pods().inNamespace("shop").withName(pod.getMetadata().getName()).get();
        current.setStatus(new PodStatusBuilder().withConditions(conditions)
                .addNewContainerStatus().withName("app").withRestartCount(0).endContainerStatus().build());
        client.resource(current).updateStatus();
    }

    static Map<String, Integer> steps(Object... typeSeconds) {
        Map<String, Integer> steps = new LinkedHashMap<>();
        for (int i = 0; i < typeSeconds.length; i += 2) {
            steps.put((String) typeSeconds[i], (Integer) typeSeconds[i + 1]);
        }
        return steps;
    }

    void pulled(String name, Pod pod, String uid, String message) {
        client.resource(new EventBuilder().withNewMetadata().withName(name).withNamespace("shop").endMetadata()
                .withReason("Pulled").withMessage(message).withFirstTimestamp(Instant.now().toString())
                .withNewInvolvedObject().withKind("Pod").withNamespace("shop").withName(pod.getMetadata().getName())
                .withUid(uid).endInvolvedObject().build()).create();
    }

    void pulled(String name, Pod pod, String message) {
        pulled(name, pod, pod.getMetadata().getUid(), message);
    }

    Node createNode(String name, boolean warmPool) {
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName(name).endMetadata();
        if (warmPool) {
            node.editMetadata().addToAnnotations(NodeStartup.WARM_POOL_ANNOTATION, "true").endMetadata();
        }
        return client.resource(node.build()).create();
    }

    void nodeReady(Node node, int seconds) {
        Instant created = OffsetDateTime.parse(node.getMetadata().getCreationTimestamp()).toInstant();
        Node current = client.nodes().withName(node.getMetadata().getName()).get();
        current.setStatus(new NodeStatusBuilder().addNewCondition().withType("Ready").withStatus("True")
                .withLastTransitionTime(created.plusSeconds(seconds).toString()).endCondition().build());
        client.resource(current).updateStatus();
    }

    void nodeAnnotated(Node node, String key, int seconds) {
        Instant created = OffsetDateTime.parse(node.getMetadata().getCreationTimestamp()).toInstant();
        client.nodes().withName(node.getMetadata().getName()).edit(n -> new NodeBuilder(n).editMetadata()
                .addToAnnotations(key, created.plusSeconds(seconds).toString()).endMetadata().build());
    }

    @Test
    void podsNodesAndPullsAreCountedOnceAcrossLeaderChanges() throws Exception {
        Pod before = createPod("before", true);
        conditions(before, steps("PodScheduled", 1, "Initialized", 2, "Ready", 3));
        Thread.sleep(1100);
        Replica a = replica();
        lead(a);

        Pod web = createPod("web", true);
        conditions(web, steps("PodScheduled", 2));
        conditions(web, steps("PodScheduled", 2, "Initialized", 5));
        pulled("web.1", web, "Successfully pulled image \"app:1\" in 2.5s (2.5s including waiting)");
        pulled("web.2", web, "Container image \"sidecar:1\" already present on machine");
        conditions(web, steps("PodScheduled", 2, "Initialized", 5, "Ready", 15));
        Pod legacy = createPod("legacy", false);
        conditions(legacy, steps("PodScheduled", 20, "Initialized", 25, "Ready", 70));
        // a pod that never becomes Ready is measured by nothing
        conditions(createPod("stuck", false), steps("PodScheduled", 1));
        Node warm = createNode("warm-1", true);
        nodeReady(warm, 1);
        nodeAnnotated(warm, NodeStartup.IMAGE_CACHE_ANNOTATION, 2);
        nodeAnnotated(warm, NodeStartup.WARM_UP_ANNOTATION, 3);
        Node cold = createNode("cold-1", false);
        nodeReady(cold, 2);
        // (a node's phases end in the past of whoever observes them: the next leadership below
        // starts after they all ended)
        Instant nodesDone = OffsetDateTime.parse(cold.getMetadata().getCreationTimestamp()).toInstant().plusSeconds(4);

        eventually(WAIT, () -> {
            assertThat(a.observations("headstart.pod.startup")).isEqualTo(8);
            assertThat(a.observations("headstart.node.startup")).isEqualTo(4);
            assertThat(a.count("headstart.image.pull", "headstart", "on")).isEqualTo(2);
        });
        assertThat(a.seconds("headstart.pod.startup", "phase", "scheduling", "headstart", "on")).isEqualTo(2.0);
        assertThat(a.seconds("headstart.pod.startup", "phase", "initialization", "headstart", "on")).isEqualTo(3.0);
        assertThat(a.seconds("headstart.pod.startup", "phase", "startup", "headstart", "on")).isEqualTo(10.0);
        assertThat(a.seconds("headstart.pod.startup", "phase", "total", "headstart", "on")).isEqualTo(15.0);
        assertThat(a.seconds("headstart.pod.startup", "phase", "scheduling", "headstart", "off")).isEqualTo(20.0);
        assertThat(a.seconds("headstart.pod.startup", "phase", "startup", "headstart", "off")).isEqualTo(45.0);
        assertThat(a.seconds("headstart.pod.startup", "phase", "total", "headstart", "off")).isEqualTo(70.0);
        assertThat(a.seconds("headstart.image.pull", "headstart", "on")).isEqualTo(2.5);
        assertThat(a.pulls("false", "on")).isEqualTo(1);
        assertThat(a.pulls("true", "on")).isEqualTo(1);
        assertThat(a.seconds("headstart.node.startup", "phase", "ready", "warm_pool", "true")).isEqualTo(1.0);
        assertThat(a.seconds("headstart.node.startup", "phase", "imageCache", "warm_pool", "true")).isEqualTo(2.0);
        assertThat(a.seconds("headstart.node.startup", "phase", "warmUp", "warm_pool", "true")).isEqualTo(3.0);
        assertThat(a.seconds("headstart.node.startup", "phase", "ready", "warm_pool", "false")).isEqualTo(2.0);

        // A readiness flap and more node updates count nothing again.
        conditions(web, steps("PodScheduled", 2, "Initialized", 5));
        conditions(web, steps("PodScheduled", 2, "Initialized", 5, "Ready", 90));
        nodeAnnotated(cold, "touched", 5);
        Thread.sleep(700);
        assertThat(a.observations("headstart.pod.startup")).isEqualTo(8);
        assertThat(a.observations("headstart.node.startup")).isEqualTo(4);

        // Leadership lost: a pod that starts meanwhile is nobody's; regained: the informers list
        // everything again, and nothing is counted twice.
        a.task().stop();
        assertThat(a.informers().active()).isEmpty();
        Pod between = createPod("between", false);
        conditions(between, steps("Ready", 3));
        Thread.sleep(Math.max(1100, Duration.between(Instant.now(), nodesDone).toMillis()));
        lead(a);
        Pod again = createPod("again", true);
        conditions(again, steps("Ready", 4));
        eventually(WAIT, () -> assertThat(a.count("headstart.pod.startup", "phase", "total", "headstart", "on"))
                .isEqualTo(2));
        Thread.sleep(700); // anything else the new lists bring
        assertThat(a.observations("headstart.pod.startup")).isEqualTo(9);
        assertThat(a.count("headstart.pod.startup", "phase", "total", "headstart", "off")).isEqualTo(1);
        assertThat(a.observations("headstart.node.startup")).isEqualTo(4);
        assertThat(a.count("headstart.image.pull", "headstart", "on")).isEqualTo(2);
        a.task().stop();

        // Another replica takes over later: counts only what starts from then on.
        Replica b = replica();
        lead(b);
        Pod late = createPod("late", false);
        conditions(late, steps("Ready", 9));
        eventually(WAIT, () -> assertThat(b.count("headstart.pod.startup", "phase", "total", "headstart", "off"))
                .isEqualTo(1));
        Thread.sleep(700);
        assertThat(b.seconds("headstart.pod.startup", "phase", "total", "headstart", "off")).isEqualTo(9.0);
        assertThat(b.observations("headstart.pod.startup")).isEqualTo(1);
        assertThat(b.observations("headstart.node.startup")).isZero();
        assertThat(b.observations("headstart.image.pull")).isZero();
        assertThat(a.observations("headstart.pod.startup")).isEqualTo(9);
    }

    @Test
    void pulledEventsFindTheirPodInTheSlimPodCache() throws Exception {
        Replica a = replica();
        lead(a);
        Pod web = createPod("web", true);
        // the event's group comes from the shared pod cache: on, the applied annotation is kept
        pulled("web.1", web, "Successfully pulled image \"app:1\" in 850ms");
        // the pull is counted before its time is recorded (StartupTelemetry): wait for both
        eventually(WAIT, () -> {
            assertThat(a.pulls("false", "on")).isEqualTo(1);
            assertThat(a.seconds("headstart.image.pull", "headstart", "on")).isEqualTo(0.85);
        });
        // an event of an earlier pod of that name (another uid) is not this pod's
        pulled("web.2", web, "another-uid", "Successfully pulled image \"app:1\" in 1s");
        Thread.sleep(700);
        assertThat(a.pulls("false", "on")).isEqualTo(1);
        assertThat(a.pulls("false", "off")).isZero();
        Pod cached = a.task().cachedPodForTest("shop", "web");
        assertThat(cached.getMetadata().getUid()).isEqualTo(web.getMetadata().getUid());
        assertThat(cached.getMetadata().getAnnotations()).containsOnlyKeys(PodStartup.APPLIED_ANNOTATION);
        assertThat(cached.getSpec()).isNull();
    }

    @Test
    void inactiveItWatchesNothingAndRegistersNoMeter() {
        SharedInformers informers = new SharedInformers(() -> controller, 500);
        MeterRegistry registry = new SimpleMeterRegistry();
        StartupTelemetryTask task = new StartupTelemetryTask(informers, registry, Clock.systemUTC(),
                ControllerKinds.PULLED_EVENTS, false);
        task.start();
        assertThat(informers.active()).isEmpty();
        assertThat(registry.getMeters()).isEmpty();
        task.stop();
        task.stop();
    }

    @Test
    void pulledEventsAreSelectedByTheApiServer() throws Exception {
        SharedInformers informers = new SharedInformers(() -> controller, 500);
        Subscription<Event> subscription = informers.subscribe(ControllerKinds.PULLED_EVENTS, new OnChange<>(e -> { }));
        try {
            subscription.started().get(20, TimeUnit.SECONDS);
            List<String> paths = new ArrayList<>();
            RecordedRequest request;
            while ((request = ApiRequestRecorder.take(server, 200, TimeUnit.MILLISECONDS)) != null) {
                paths.add(request.getPath());
            }
            assertThat(paths).filteredOn(p -> p.startsWith("/api/v1/events?")).isNotEmpty()
                    .allSatisfy(p -> assertThat(p).contains("fieldSelector=reason%3DPulled"));
        } finally {
            subscription.close();
        }
    }
}
