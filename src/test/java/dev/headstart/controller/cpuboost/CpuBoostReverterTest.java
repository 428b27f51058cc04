package dev.headstart.controller.cpuboost;

import dev.headstart.cluster.ApiServed;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.cluster.Component;
import dev.headstart.cluster.ResizeDiscovery;
import dev.headstart.controller.informers.ControllerKinds;
import dev.headstart.controller.informers.SharedInformers;
import dev.headstart.json.Json;
import dev.headstart.rules.CpuBoostRecord;
import dev.headstart.testing.ComponentClient;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The revert on the mock API server: the controller sees a boosted pod turn Ready and PATCHes
 * {@code pods/<name>/resize} with exactly the recorded limits. The CRUD mock does not route the
 * resize subresource, so an expectation answers that call and records its body (and, like the API
 * server, the test then writes the restored limits into the stored pod).
 */
@EnableKubernetesMockClient(crud = true)
class CpuBoostReverterTest {

    static final String RESIZE = "/api/v1/namespaces/ns/pods/web/resize";

    KubernetesMockServer server;
    KubernetesClient client;
    KubernetesClient controller;
    final List<CpuBoostReverter> tasks = new ArrayList<>();
    final List<String> bodies = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        controller = ComponentClient.of(Component.CONTROLLER, server, client);
    }

    void resizeServed() {
        server.expect().get().withPath("/api/v1").andReturn(200, new APIResourceListBuilder().withGroupVersion("v1")
                .withResources(new APIResourceBuilder().withName("pods").withNamespaced(true).withKind("Pod").build(),
                        new APIResourceBuilder().withName("pods/resize").withNamespaced(true).withKind("Pod").build())
                .build()).always();
    }

    @AfterEach
    void tearDown() {
        tasks.forEach(CpuBoostReverter::stop);
        controller.close();
    }

    /** A replica's reverter: its own informers, registry and discovery (which has asked once). */
    CpuBoostReverter replica(MeterRegistry registry, int maxAttempts) {
        return replica(registry, maxAttempts, false);
    }

    CpuBoostReverter replica(MeterRegistry registry, int maxAttempts, boolean reboost) {
        resizeServed();
        ResizeDiscovery discovery = new ResizeDiscovery(() -> controller, true, 60_000, registry);
        assertThat(discovery.check()).isEqualTo(ApiServed.SERVED);
        CpuBoostReverter task = new CpuBoostReverter(() -> controller, new SharedInformers(() -> controller, 500),
                ControllerKinds.BOOSTED_PODS, discovery, registry, Clock.systemUTC(), true, Duration.ofMinutes(5),
                Duration.ofMillis(50), Duration.ofMillis(200), maxAttempts, reboost);
        tasks.add(task);
        return task;
    }

    void answerResize(int code) {
        server.expect().patch().withPath(RESIZE).andReply(code, request -> {
            bodies.add(request.getUtf8Body());
            return code == 200 ? "{}" : Map.of("kind", "Status", "code", code, "message", "Pod \"web\" is invalid: no");
        }).always();
    }

    /** A boosted pod as the webhook leaves it: app at 2 (recorded 500m), proxy sidecar at 800m (recorded 200m). */
    Pod boosted(boolean ready, String startTime) {
        return new PodBuilder()
                .withNewMetadata().withName("web").withNamespace("ns")
                    .addToLabels(CpuBoostRecord.LABEL, "true")
                    .addToAnnotations(CpuBoostRecord.ANNOTATION, "app=500m,proxy=200m")
                .endMetadata()
                .withNewSpec()
                    .addNewInitContainer().withName("proxy").withRestartPolicy("Always").withImage("p")
                        .withNewResources().addToRequests("cpu", new Quantity("100m")).addToLimits("cpu", new Quantity("800m"))
                        .endResources().endInitContainer()
                    .addNewContainer().withName("app").withImage("a")
                        .withNewResources().addToRequests("cpu", new Quantity("250m")).addToLimits("cpu", new Quantity("2"))
                        .addToLimits("memory", new Quantity("1Gi")).endResources().endContainer()
                    .addNewContainer().withName("other").withImage("o")
                        .withNewResources().addToLimits("cpu", new Quantity("1")).endResources().endContainer()
                .endSpec()
                .withNewStatus().withPhase("Running").withStartTime(startTime)
                    .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                    .addNewContainerStatus().withName("app").withStarted(ready).withReady(ready).endContainerStatus()
                    .addNewInitContainerStatus().withName("proxy").withStarted(true).endInitContainerStatus()
                .endStatus()
                .build();
    }

    void becomeReady() {
        Pod ready = boosted(true, Instant.now().toString());
        ready.getMetadata().setResourceVersion(null);
        client.pods().inNamespace("ns").resource(ready).update();
    }

    static final String EXPECTED = "{\"spec\":{\"containers\":[{\"name\":\"app\",\"resources\":{\"limits\":{\"cpu\":\"500m\"}}}],"
            + "\"initContainers\":[{\"name\":\"proxy\",\"resources\":{\"limits\":{\"cpu\":\"200m\"}}}]}}";

    static double count(MeterRegistry registry, String name, String tag, String value) {
        var counter = registry.find(name).tag(tag, value).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void revertsWithExactlyTheRecordedLimitsOnceThePodIsReady() throws Exception {
        answerResize(200);
        MeterRegistry registry = new SimpleMeterRegistry();
        client.pods().inNamespace("ns").resource(boosted(false, Instant.now().toString())).create();
        replica(registry, 5).start();
        Thread.sleep(1500);
        assertThat(bodies).as("not Ready yet: nothing sent").isEmpty();

        becomeReady();
        eventually(Duration.ofSeconds(20), () -> assertThat(bodies).hasSize(1));
        JsonNode body = Json.MAPPER.readTree(bodies.get(0));
        assertThat(body).isEqualTo(Json.MAPPER.readTree(EXPECTED));
        // the counter is incremented before the timer records (CpuBoostMetrics.reverted): wait for both
        eventually(Duration.ofSeconds(10), () -> {
            assertThat(count(registry, "headstart.cpu.boost.reverts", "trigger", "ready")).isEqualTo(1);
            assertThat(registry.get("headstart.cpu.boost.duration").timer().count()).isEqualTo(1);
        });
        Thread.sleep(500);
        assertThat(bodies).as("sent once").hasSize(1);
    }

    @Test
    void revertsAfterTheMaximumEvenWhenNotReady() throws Exception {
        answerResize(200);
        MeterRegistry registry = new SimpleMeterRegistry();
        client.pods().inNamespace("ns").resource(boosted(false, Instant.now().minus(Duration.ofMinutes(6)).toString())).create();
        replica(registry, 5).start();
        eventually(Duration.ofSeconds(20), () -> assertThat(bodies).hasSize(1));
        assertThat(Json.MAPPER.readTree(bodies.get(0))).isEqualTo(Json.MAPPER.readTree(EXPECTED));
        eventually(Duration.ofSeconds(10), () -> assertThat(count(registry, "headstart.cpu.boost.reverts", "trigger",
                "max_duration")).isEqualTo(1));
    }

    @Test
    void nothingIsDoneForPodsNeverBoostedOrGivenBackAlready() throws Exception {
        answerResize(200);
        MeterRegistry registry = new SimpleMeterRegistry();
        Pod plain = boosted(true, Instant.now().toString());
        plain.getMetadata().setName("plain");
        plain.getMetadata().setLabels(Map.of());
        plain.getMetadata().setAnnotations(Map.of());
        client.pods().inNamespace("ns").resource(plain).create();
        Pod reverted = boosted(true, Instant.now().toString());
        reverted.getMetadata().setName("reverted");
        reverted.getSpec().getContainers().get(0).getResources().getLimits().put("cpu", new Quantity("0.5"));
        reverted.getSpec().getInitContainers().get(0).getResources().getLimits().put("cpu", new Quantity("200m"));
        client.pods().inNamespace("ns").resource(reverted).create();
        replica(registry, 5).start();
        Thread.sleep(1500);
        assertThat(bodies).isEmpty();
        assertThat(server.getRequestCount()).isPositive();
    }

    @Test
    void failuresAreRetriedWithBackoffCountedAndAnEventSaysSo() throws Exception {
        // 409 (another writer changed the pod): fabric8's client retries 5xx itself (requestRetryBackoffLimit);
        // what it hands back, the reverter retries with its own backoff.
        server.expect().patch().withPath(RESIZE).andReply(409, request -> {
            bodies.add(request.getUtf8Body());
            return Map.of("kind", "Status", "code", 409, "message", "the object has been modified; please apply your changes");
        }).times(2);
        answerResize(200);
        MeterRegistry registry = new SimpleMeterRegistry();
        client.pods().inNamespace("ns").resource(boosted(true, Instant.now().toString())).create();
        replica(registry, 5).start();
        eventually(Duration.ofSeconds(20), () -> assertThat(count(registry, "headstart.cpu.boost.reverts", "trigger", "ready"))
                .isEqualTo(1));
        assertThat(bodies).hasSize(3).allSatisfy(b -> assertThat(Json.MAPPER.readTree(b)).isEqualTo(Json.MAPPER.readTree(EXPECTED)));
        assertThat(count(registry, "headstart.cpu.boost.revert.failures", "reason", "error")).isEqualTo(2);
        List<Event> events = client.v1().events().inNamespace("ns").list().getItems();
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.getReason()).isEqualTo(CpuBoostReverter.FAILED_REASON);
            assertThat(e.getInvolvedObject().getName()).isEqualTo("web");
            assertThat(e.getMessage()).contains("the object has been modified").contains("retrying");
        });
    }

    @Test
    void aRefusedRevertIsNotRetried() throws Exception {
        answerResize(422);
        MeterRegistry registry = new SimpleMeterRegistry();
        client.pods().inNamespace("ns").resource(boosted(true, Instant.now().toString())).create();
        replica(registry, 5).start();
        eventually(Duration.ofSeconds(20), () -> assertThat(count(registry, "headstart.cpu.boost.revert.failures",
                "reason", "refused")).isEqualTo(1));
        // the failure is counted before the Event is written: wait for the Event
        eventually(Duration.ofSeconds(10), () -> assertThat(client.v1().events().inNamespace("ns").list().getItems())
                .singleElement().satisfies(e -> assertThat(e.getMessage()).contains("refused").contains("not retried")));
        Thread.sleep(1000);
        assertThat(bodies).hasSize(1);
        assertThat(client.v1().events().inNamespace("ns").list().getItems()).hasSize(1);
    }

    @Test
    void aRevertThatKeepsFailingIsGivenUpAfterTheLastAttempt() throws Exception {
        answerResize(409);
        MeterRegistry registry = new SimpleMeterRegistry();
        client.pods().inNamespace("ns").resource(boosted(true, Instant.now().toString())).create();
        replica(registry, 3).start();
        eventually(Duration.ofSeconds(20), () -> assertThat(count(registry, "headstart.cpu.boost.revert.failures",
                "reason", "gave_up")).isEqualTo(1));
        // "gave_up" is counted before its Event is written: wait for the Event
        eventually(Duration.ofSeconds(10), () -> assertThat(client.v1().events().inNamespace("ns").list().getItems())
                .hasSize(2).anySatisfy(e -> assertThat(e.getMessage()).contains("given up")));
        Thread.sleep(800);
        assertThat(bodies).hasSize(3);
        assertThat(client.v1().events().inNamespace("ns").list().getItems()).hasSize(2);
    }

    /**
     * The pod after its revert (limits as recorded), boosted by value at admission (app to 2, proxy to
     * 800m), whose app container restarted {@code restarts} times, running since {@code startedAt}.
     */
    Pod revertedThenRestarted(boolean raisedRecorded, int restarts, Instant startedAt, boolean ready) {
        Pod pod = boosted(ready, Instant.now().minus(Duration.ofHours(1)).toString());
        pod.getSpec().getContainers().get(0).getResources().getLimits().put("cpu", new Quantity("500m"));
        pod.getSpec().getInitContainers().get(0).getResources().getLimits().put("cpu", new Quantity("200m"));
        if (raisedRecorded) {
            pod.getMetadata().getAnnotations().put(CpuBoostRecord.BOOSTED_ANNOTATION, "app=2,proxy=800m");
        }
        var app = pod.getStatus().getContainerStatuses().get(0);
        app.setRestartCount(restarts);
        app.setStarted(true);
        app.setReady(ready);
        app.setState(new io.fabric8.kubernetes.api.model.ContainerStateBuilder().withNewRunning()
                .withStartedAt(startedAt.toString()).endRunning().build());
        return pod;
    }

    static final String REBOOST = "{\"spec\":{\"containers\":[{\"name\":\"app\",\"resources\":{\"limits\":{\"cpu\":\"2\"}}}]}}";

    @Test
    void aRestartedContainerIsBoostedAgainAndGivenBackOnceReadyWhenConfigured() throws Exception {
        answerResize(200);
        MeterRegistry registry = new SimpleMeterRegistry();
        client.pods().inNamespace("ns").resource(revertedThenRestarted(true, 1, Instant.now(), false)).create();
        replica(registry, 5, true).start();
        // the restarted app gets exactly what admission gave it, the proxy (not restarted) nothing
        eventually(Duration.ofSeconds(20), () -> assertThat(bodies).hasSize(1));
        assertThat(Json.MAPPER.readTree(bodies.get(0))).isEqualTo(Json.MAPPER.readTree(REBOOST));
        eventually(Duration.ofSeconds(10), () -> assertThat(registry.get("headstart.cpu.boost.reboosts").counter().count())
                .isEqualTo(1));
        Thread.sleep(700);
        assertThat(bodies).as("the informer's stale copy: not sent twice").hasSize(1);

        // the resize applied (the mock does not apply it), then the app is Ready again: given back
        Pod raised = revertedThenRestarted(true, 1, Instant.now(), true);
        raised.getSpec().getContainers().get(0).getResources().getLimits().put("cpu", new Quantity("2"));
        client.pods().inNamespace("ns").resource(raised).update();
        eventually(Duration.ofSeconds(20), () -> assertThat(bodies).hasSize(2));
        assertThat(Json.MAPPER.readTree(bodies.get(1))).isEqualTo(Json.MAPPER.readTree(
                "{\"spec\":{\"containers\":[{\"name\":\"app\",\"resources\":{\"limits\":{\"cpu\":\"500m\"}}}]}}"));
        eventually(Duration.ofSeconds(10), () -> assertThat(count(registry, "headstart.cpu.boost.reverts", "trigger", "ready"))
                .isEqualTo(1));

        // given back, and the app restarts once more: boosted again (a second step, not the first repeated)
        client.pods().inNamespace("ns").resource(revertedThenRestarted(true, 2, Instant.now(), false)).update();
        eventually(Duration.ofSeconds(20), () -> assertThat(bodies).hasSize(3));
        assertThat(Json.MAPPER.readTree(bodies.get(2))).isEqualTo(Json.MAPPER.readTree(REBOOST));
    }

    @Test
    void noReboostUnlessConfiguredForRemovedLimitsOrPastTheStartupWindow() throws Exception {
        answerResize(200);
        client.pods().inNamespace("ns").resource(revertedThenRestarted(true, 1, Instant.now(), false)).create();
        replica(new SimpleMeterRegistry(), 5, false).start();
        Thread.sleep(1500);
        assertThat(bodies).as("reboost-after-restart off (the default)").isEmpty();
        tasks.forEach(CpuBoostReverter::stop);

        // remove mode: no raised value recorded, and resize cannot remove a limit
        client.pods().inNamespace("ns").resource(revertedThenRestarted(false, 1, Instant.now(), false)).update();
        replica(new SimpleMeterRegistry(), 5, true).start();
        Thread.sleep(1500);
        assertThat(bodies).as("limit was removed at admission").isEmpty();

        // restarted longer than max-duration (5 m) ago and still not ready: not boosted again (no flip-flop)
        client.pods().inNamespace("ns").resource(revertedThenRestarted(true, 3, Instant.now().minus(Duration.ofMinutes(6)),
                false)).update();
        Thread.sleep(1500);
        assertThat(bodies).as("past the startup window").isEmpty();
    }

    @Test
    void aNewLeaderFinishesWhatTheOldOneLeft() throws Exception {
        answerResize(200);
        client.pods().inNamespace("ns").resource(boosted(false, Instant.now().toString())).create();
        CpuBoostReverter old = replica(new SimpleMeterRegistry(), 5);
        old.start();
        Thread.sleep(1000);
        old.stop(); // leadership lost while the pod starts
        becomeReady();
        Thread.sleep(1000);
        assertThat(bodies).as("no leader, nothing sent").isEmpty();

        MeterRegistry registry = new SimpleMeterRegistry();
        replica(registry, 5).start();
        eventually(Duration.ofSeconds(20), () -> assertThat(bodies).hasSize(1));
        assertThat(Json.MAPPER.readTree(bodies.get(0))).isEqualTo(Json.MAPPER.readTree(EXPECTED));
    }

    @Test
    void nothingIsSentWhileTheApiServerDoesNotServeResize() throws Exception {
        answerResize(200);
        server.expect().get().withPath("/api/v1").andReturn(200, new APIResourceListBuilder().withGroupVersion("v1")
                .withResources(new APIResourceBuilder().withName("pods").withNamespaced(true).withKind("Pod").build())
                .build()).once();
        resizeServed();
        MeterRegistry registry = new SimpleMeterRegistry();
        ResizeDiscovery discovery = new ResizeDiscovery(() -> controller, true, 60_000, registry);
        // the one-off answer above comes first: an API server without in-place resize
        assertThat(discovery.check()).isEqualTo(ApiServed.NOT_SERVED);
        assertThat(discovery.unavailable()).get().asString().contains("does not serve pods/resize");
        CpuBoostReverter task = new CpuBoostReverter(() -> controller, new SharedInformers(() -> controller, 500),
                ControllerKinds.BOOSTED_PODS, discovery, registry, Clock.systemUTC(), true, Duration.ofMinutes(5),
                Duration.ofMillis(50), Duration.ofMillis(200), 5);
        tasks.add(task);
        client.pods().inNamespace("ns").resource(boosted(true, Instant.now().toString())).create();
        task.start();
        Thread.sleep(1500);
        assertThat(bodies).isEmpty();
        assertThat(discovery.check()).as("re-checked: served now").isEqualTo(ApiServed.SERVED);
    }

    @Test
    void backoffDoublesUpToTheMaximum() {
        CpuBoostReverter task = new CpuBoostReverter(() -> controller, null, ControllerKinds.BOOSTED_PODS, null,
                new SimpleMeterRegistry(), Clock.systemUTC(), false, Duration.ofMinutes(5), Duration.ofSeconds(1),
                Duration.ofSeconds(5), 5);
        assertThat(List.of(task.backoff(1), task.backoff(2), task.backoff(3), task.backoff(4), task.backoff(30)))
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(5),
                        Duration.ofSeconds(5));
    }
}
