package dev.headstart.controller.warmpool;

import dev.headstart.controller.imagecache.ImageCacheMetrics;
import dev.headstart.controller.imagecache.ImageCacheReconciler;
import dev.headstart.controller.imagecache.ImageCacheSettings;
import dev.headstart.controller.imagecache.ImageCacheView;
import dev.headstart.controller.informers.SharedInformers;
import dev.headstart.telemetry.NodeStartup;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A warm node's whole life against the fabric8 mock API server (CRUD) and the real AWS SDK talking
 * to the Auto Scaling stub: joins tainted, fills its cache, hook completed, stopped and cleaned up,
 * returns and enters service.
 */
class WarmPoolLifecycleTest extends WarmPoolMockClusterTest {

    static final String ID = "i-0123456789abcdef0";
    static final String NODE = "ip-10-0-1-2.ec2.internal";
    static final Duration WAIT = Duration.ofSeconds(15);

    WarmPoolMetrics metrics;
    /** The controller's shared informers, as the warm pool and the image cache share them in production. */
    SharedInformers informers;
    ImageCacheView view;
    ImageCacheReconciler cacheReconciler;

    @BeforeEach
    void setUp() {
        metrics = new WarmPoolMetrics(registry);
        informers = new SharedInformers(() -> controller, 500);
        view = new ImageCacheView(true);
    }

    @AfterEach
    void tearDown() {
        if (cacheReconciler != null) {
            cacheReconciler.stop();
        }
    }

    WarmPoolReconciler reconciler(Duration heartbeat, Duration budget) {
        WarmPoolSettings settings = new WarmPoolSettings(WarmupTaint.parse(WARMUP_TAINT),
                "headstart-warmup", Optional.of("headstart-launch"), heartbeat, budget);
        return new WarmPoolReconciler(() -> controller, informers, 5, () -> gateway, settings, Duration.ofMillis(200),
                Clock.systemUTC(), metrics, view, true);
    }

    /** A Node as the kubelet registers it, Ready. */
    static Node node(Taint... taints) {
        return registeredNode(NODE, ID)
                .editMetadata().addToLabels("kubernetes.io/os", "linux").endMetadata()
                .editSpec().withTaints(taints).endSpec()
                .build();
    }

    /**
     * An opted-in namespace with one Deployment of these images, and the real image-cache reconciler
     * (sharing the warm pool's informers and its view of the plan); returns the cache DaemonSet once
     * it is written.
     */
    DaemonSet imageCache(String... images) {
        ImageCacheSettings settings = new ImageCacheSettings("busybox:1.36.1-musl", List.of(),
                WarmupTaint.parse(WARMUP_TAINT), Duration.ofMillis(50));
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop")
                .addToLabels("headstart.dev/inject", "enabled").endMetadata().build()).create();
        PodSpecBuilder pod = new PodSpecBuilder();
        for (int i = 0; i < images.length; i++) {
            pod.addNewContainer().withName("c" + i).withImage(images[i]).endContainer();
        }
        client.apps().deployments().inNamespace("shop").resource(new DeploymentBuilder()
                .withNewMetadata().withName("app").withNamespace("shop").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "app").endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", "app").endMetadata().withSpec(pod.build())
                    .endTemplate().endSpec().build()).create();
        cacheReconciler = new ImageCacheReconciler(() -> controller, informers, settings, view,
                new ImageCacheMetrics(registry), true);
        cacheReconciler.start();
        DaemonSet[] cache = new DaemonSet[1];
        eventually(WAIT, () -> {
            List<DaemonSet> written = client.apps().daemonSets().inNamespace("headstart-system").list().getItems();
            assertThat(written).singleElement();
            cache[0] = written.get(0);
        });
        return cache[0];
    }

    /** The cache pod the DaemonSet controller would run on the node, with the kubelet's container statuses. */
    void cachePod(DaemonSet cache, java.util.function.BiFunction<String, String, ContainerStatus> status) {
        Pod pod = client.pods().inNamespace("headstart-system").resource(new PodBuilder()
                .withNewMetadata().withName("headstart-image-cache-abcde").withNamespace("headstart-system")
                    .withLabels(cache.getSpec().getTemplate().getMetadata().getLabels())
                    .withAnnotations(cache.getSpec().getTemplate().getMetadata().getAnnotations())
                .endMetadata()
                .withSpec(new PodSpecBuilder(cache.getSpec().getTemplate().getSpec()).withNodeName(NODE).build())
                .build()).create();
        List<ContainerStatus> statuses = pod.getSpec().getContainers().stream()
                .map(c -> status.apply(c.getName(), c.getImage()))
                .toList();
        pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running")
                .withContainerStatuses(statuses).build());
        client.pods().inNamespace("headstart-system").resource(pod).updateStatus();
    }

    static ContainerStatus running(String name, String image) {
        return new ContainerStatusBuilder().withName(name).withImage(image).withReady(true).withStarted(true)
                .withNewState().withNewRunning().withStartedAt(Instant.now().toString()).endRunning().endState().build();
    }

    /** Every image container runs: every image was pulled. */
    void cachePodCompletes(DaemonSet cache) {
        cachePod(cache, WarmPoolLifecycleTest::running);
    }

    double actions(String action, String result) {
        var counter = registry.find("headstart.lifecycle.actions").tags("action", action, "result", result).counter();
        return counter == null ? 0 : counter.count();
    }

    Node currentNode() {
        return client.nodes().withName(NODE).get();
    }

    /** Two launching hooks, as the reconciler is configured ({@link #reconciler}); Auto Scaling runs both at each stage. */
    void twoLaunchingHooks() {
        stub.launchingHook("workers", "headstart-warmup", Duration.ofSeconds(300), "CONTINUE");
        stub.launchingHook("workers", "headstart-launch", Duration.ofSeconds(300), "ABANDON");
    }

    List<Map<String, String>> completions(String hook) {
        return stub.requests("CompleteLifecycleAction").stream()
                .filter(r -> hook.equals(r.get("LifecycleHookName"))).toList();
    }

    @Test
    void aWarmNodesWholeLife() {
        twoLaunchingHooks();
        stub.enter(ID, "workers", "Warmed:Pending:Wait", "Warmed:Stopped");
        client.nodes().resource(node(warmup())).create();
        DaemonSet cache = imageCache("shop/app:2.0");
        start(reconciler(Duration.ofSeconds(1), Duration.ofMinutes(10)));

        // Joins tainted and waits for its cache, keeping both hooks alive with heartbeats.
        eventually(WAIT, () -> {
            assertThat(stub.requests("RecordLifecycleActionHeartbeat")).extracting(r -> r.get("LifecycleHookName"))
                    .contains("headstart-warmup", "headstart-launch");
            assertThat(stub.requests("RecordLifecycleActionHeartbeat")).first().satisfies(r -> assertThat(r)
                    .containsEntry("AutoScalingGroupName", "workers")
                    .containsEntry("InstanceId", ID));
            assertThat(currentNode().getMetadata().getAnnotations()).containsKey(WarmPoolReconciler.HEARTBEAT_AT)
                    // joined with the warm-up taint: marked in the heartbeat's own edit
                    .containsEntry(NodeStartup.WARM_POOL_ANNOTATION, "true");
        });
        assertThat(stub.requests("CompleteLifecycleAction")).isEmpty();
        assertThat(stub.actionActive("headstart-warmup", ID)).isTrue();
        eventually(WAIT, () -> assertThat(registry.get("headstart.warm.nodes").tag("state", "warming").gauge().value())
                .isEqualTo(1.0));

        // The cache pod on the node finishes: every launching hook is completed with CONTINUE, once.
        cachePodCompletes(cache);
        eventually(WAIT, () -> {
            assertThat(stub.state(ID)).isEqualTo("Warmed:Stopped");
            assertThat(currentNode().getMetadata().getAnnotations()).containsKey(WarmPoolReconciler.CACHE_COMPLETED_AT)
                    .containsEntry(WarmPoolReconciler.HOOKS_COMPLETED, "Warmed:Pending:Wait");
        });
        assertThat(completions("headstart-warmup")).singleElement().isEqualTo(Map.of(
                "Action", "CompleteLifecycleAction", "Version", "2011-01-01",
                "AutoScalingGroupName", "workers", "LifecycleHookName", "headstart-warmup",
                "InstanceId", ID, "LifecycleActionResult", "CONTINUE"));
        assertThat(completions("headstart-launch")).hasSize(1);
        assertThat(stub.ended()).extracting(AutoScalingStub.Ended::how).containsOnly("completed:CONTINUE");
        assertThat(currentNode().getSpec().getTaints()).extracting(Taint::getKey).containsExactly("headstart.dev/warmup");
        // Later passes do not repeat the completion.
        passes(3);
        assertThat(stub.requests("CompleteLifecycleAction")).hasSize(2);
        assertThat(actions("complete", "ok")).isEqualTo(2);
        assertThat(actions("complete", "no_active")).isZero();
        assertThat(registry.get("headstart.warm.node.cache.complete").timer().count()).isEqualTo(1);
        // What the startup telemetry reads: the cache's completion, in RFC 3339, in the same edit.
        Map<String, String> warmed = currentNode().getMetadata().getAnnotations();
        assertThat(warmed).containsEntry(NodeStartup.WARM_POOL_ANNOTATION, "true")
                .containsEntry(NodeStartup.IMAGE_CACHE_ANNOTATION, warmed.get(WarmPoolReconciler.CACHE_COMPLETED_AT))
                .doesNotContainKey(NodeStartup.WARM_UP_ANNOTATION);
        assertThat(Instant.parse(warmed.get(NodeStartup.IMAGE_CACHE_ANNOTATION))).isBeforeOrEqualTo(Instant.now());

        // The instance is stopped into the pool: its stale Node object is deleted.
        client.nodes().withName(NODE).edit(n -> new NodeBuilder(n).editSpec().addToTaints(shutdown()).endSpec().build());
        eventually(WAIT, () -> assertThat(currentNode()).isNull());

        // It returns to serve: both hooks pause it in Pending:Wait; a fresh kubelet registers a new Node
        // with the warm-up taint again.
        stub.clearRequests();
        stub.enter(ID, "workers", "Pending:Wait", "InService");
        client.nodes().resource(node(warmup())).create();
        eventually(WAIT, () -> {
            assertThat(currentNode().getSpec().getTaints()).isNullOrEmpty();
            assertThat(stub.state(ID)).isEqualTo("InService");
            // recorded once the reconciler's edit returns, which can be after the API server has the change
            assertThat(registry.get("headstart.warm.node.taint.removed").timer().count()).isEqualTo(1);
        });
        // The taint's removal and the warm-pool mark land in the removal's own edit.
        Map<String, String> served = currentNode().getMetadata().getAnnotations();
        assertThat(served).containsEntry(NodeStartup.WARM_POOL_ANNOTATION, "true")
                .containsEntry(WarmPoolReconciler.HOOKS_COMPLETED, "Pending:Wait")
                .containsKey(NodeStartup.WARM_UP_ANNOTATION);
        Instant warmUp = Instant.parse(served.get(NodeStartup.WARM_UP_ANNOTATION));
        assertThat(warmUp).isBeforeOrEqualTo(Instant.now())
                .isAfterOrEqualTo(Instant.parse(currentNode().getMetadata().getCreationTimestamp()).minusSeconds(1));
        assertThat(NodeStartup.of(currentNode()).orElseThrow().ends()).containsKey(dev.headstart.telemetry.NodePhase.WARM_UP);
        assertThat(completions("headstart-launch")).singleElement().isEqualTo(Map.of(
                "Action", "CompleteLifecycleAction", "Version", "2011-01-01",
                "AutoScalingGroupName", "workers", "LifecycleHookName", "headstart-launch",
                "InstanceId", ID, "LifecycleActionResult", "CONTINUE"));
        assertThat(completions("headstart-warmup")).hasSize(1);
        assertThat(stub.ended()).extracting(AutoScalingStub.Ended::how).containsOnly("completed:CONTINUE");

        // In service and untainted: Headstart writes nothing and makes no lifecycle call.
        pause(600);
        stub.clearRequests();
        Node before = currentNode();
        pause(600);
        assertThat(stub.requests()).extracting(r -> r.get("Action")).doesNotContain(
                "CompleteLifecycleAction", "RecordLifecycleActionHeartbeat");
        assertThat(currentNode().getMetadata().getResourceVersion()).isEqualTo(before.getMetadata().getResourceVersion());
    }

    @Test
    void anImageThatNeverPullsDoesNotHoldTheNodeAndIsNamed() {
        twoLaunchingHooks();
        stub.enter(ID, "workers", "Warmed:Pending:Wait", "Warmed:Stopped");
        client.nodes().resource(node(warmup())).create();
        DaemonSet cache = imageCache("shop/app:2.0", "shop/sidecar:1.4", "shop/gone:404");
        start(reconciler(Duration.ofSeconds(1), Duration.ofMinutes(10)));
        eventually(WAIT, () -> assertThat(stub.requests("RecordLifecycleActionHeartbeat")).isNotEmpty());

        // As the kubelet reports it: the deleted tag backs off, the other images were pulled and run.
        cachePod(cache, (name, image) -> image.equals("shop/gone:404")
                ? new ContainerStatusBuilder().withName(name).withImage(image).withReady(false).withStarted(false)
                        .withNewState().withNewWaiting().withReason("ImagePullBackOff")
                            .withMessage("Back-off pulling image \"shop/gone:404\"").endWaiting().endState().build()
                : running(name, image));

        eventually(WAIT, () -> {
            assertThat(stub.actionActive("headstart-warmup", ID)).isFalse();
            assertThat(currentNode().getMetadata().getAnnotations()).containsKey(NodeStartup.IMAGE_CACHE_ANNOTATION);
        });
        assertThat(stub.requests("CompleteLifecycleAction")).first().satisfies(r -> assertThat(r)
                .containsEntry("LifecycleHookName", "headstart-warmup").containsEntry("LifecycleActionResult", "CONTINUE"));
        assertThat(registry.find("headstart.warm.cache.budget.exceeded").counter().count()).isZero();
        eventually(WAIT, () -> assertThat(client.v1().events().inNamespace("default").list().getItems())
                .filteredOn(e -> "ImageCacheFailed".equals(e.getReason())).singleElement().satisfies(e -> {
                    assertThat(e.getInvolvedObject().getKind()).isEqualTo("Node");
                    assertThat(e.getInvolvedObject().getName()).isEqualTo(NODE);
                    assertThat(e.getMessage()).contains("shop/gone:404 (ImagePullBackOff)")
                            .doesNotContain("shop/app:2.0", "shop/sidecar:1.4");
                }));
    }

    @Test
    void budgetSpentContinuesAnywayAndRecordsWhy() {
        twoLaunchingHooks();
        stub.enter(ID, "workers", "Warmed:Pending:Wait", "Warmed:Stopped");
        client.nodes().resource(node(warmup())).create();
        imageCache("shop/app:2.0");
        start(reconciler(Duration.ofMinutes(1), Duration.ZERO));

        eventually(WAIT, () -> assertThat(stub.actionActive("headstart-warmup", ID)).isFalse());
        eventually(WAIT, () -> assertThat(client.v1().events().inNamespace("default").list().getItems())
                .extracting(Event::getReason).contains("WarmupBudgetExceeded"));
        Event event = client.v1().events().inNamespace("default").list().getItems().get(0);
        assertThat(event.getInvolvedObject().getKind()).isEqualTo("Node");
        assertThat(event.getInvolvedObject().getName()).isEqualTo(NODE);
        assertThat(event.getType()).isEqualTo("Warning");
        // Both launching hooks completed anyway: one warning for the transition, naming both.
        pause(1000);
        assertThat(client.v1().events().inNamespace("default").list().getItems()).singleElement()
                .satisfies(e -> assertThat(e.getMessage()).contains("lifecycle hook headstart-warmup completed with CONTINUE anyway",
                        "lifecycle hook headstart-launch completed with CONTINUE anyway"));
        assertThat(registry.get("headstart.warm.cache.budget.exceeded").counter().count()).isEqualTo(1);
        assertThat(currentNode().getMetadata().getAnnotations()).doesNotContainKey(WarmPoolReconciler.CACHE_COMPLETED_AT);
    }

    @Test
    void aNewLeaderPicksUpMidWayAndAccessDeniedIsReported() {
        twoLaunchingHooks();
        stub.enter(ID, "workers", "Pending:Wait", "InService");
        client.nodes().resource(node(warmup())).create();
        stub.failNext(403, "AccessDenied", "not authorized to perform: autoscaling:CompleteLifecycleAction");

        // The describe call takes the AccessDenied: nothing is done, the failure is counted.
        start(reconciler(Duration.ofMinutes(1), Duration.ofMinutes(10)));
        eventually(WAIT, () -> assertThat(actions("describe", "access_denied")).isEqualTo(1));
        reconciler.stop();

        // A later leader finishes the job from what the Node and AWS say.
        start(reconciler(Duration.ofMinutes(1), Duration.ofMinutes(10)));
        eventually(WAIT, () -> {
            assertThat(currentNode().getSpec().getTaints()).isNullOrEmpty();
            assertThat(stub.actionActive("headstart-launch", ID)).isFalse();
        });
        reconciler.stop();
        reconciler.stop();
    }

    @Test
    void inertUntilStartedAndWhenInactive() throws Exception {
        stub.instance(ID, "workers", "InService");
        client.nodes().resource(node(warmup())).create();
        WarmPoolSettings settings = new WarmPoolSettings(WarmupTaint.parse(WARMUP_TAINT),
                "headstart-warmup", Optional.empty(), Duration.ofSeconds(60), Duration.ofMinutes(10));
        start(new WarmPoolReconciler(() -> controller, () -> gateway, settings, Duration.ofMillis(100),
                Clock.systemUTC(), metrics, false));
        Thread.sleep(500);
        assertThat(stub.requests()).isEmpty();
        assertThat(currentNode().getSpec().getTaints()).hasSize(1);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
