package dev.headstart.controller.warmpool;

import dev.headstart.cluster.Component;
import dev.headstart.controller.imagecache.ImageCacheView;
import dev.headstart.controller.informers.SharedInformers;
import dev.headstart.controller.warmpool.AutoScalingStub.Ended;
import dev.headstart.testing.ComponentClient;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launching hooks as Auto Scaling runs them (the stub: every launching hook pauses the instance
 * at Warmed:Pending:Wait and again at Pending:Wait, or only at Pending:Wait for a cold launch; an
 * action not completed within its heartbeat timeout ends with the hook's default result, ABANDON
 * terminating the instance), with the real AWS SDK and the fabric8 mock API server. The test plays
 * the kubelet and the cloud provider: a stopped instance's fresh kubelet registers a new Node, a
 * hibernated one resumes the same kubelet, which never registers again
 * ({@code registrationCompleted}, kubelet_node_status.go).
 */
class WarmPoolLaunchStagesTest extends WarmPoolMockClusterTest {

    static final String ID = "i-0123456789abcdef0";
    static final String NODE = "ip-10-0-1-2.ec2.internal";
    static final String GROUP = "workers";
    /** Generous: on a loaded host an informer can take 15 s to sync. */
    static final Duration WAIT = Duration.ofSeconds(45);
    /** Short enough that a hook Headstart leaves alone times out within a test. */
    static final Duration TIMEOUT = Duration.ofSeconds(4);

    /** The API server that checks delete preconditions (one test); a field so its requests are recorded for RBAC. */
    KubernetesMockServer preconditionServer;

    @Override
    Duration patience() {
        return WAIT;
    }

    /** imageCache: whether a cache is planned (then it is never complete here) or none (complete at once). */
    void start(WarmPoolSettings settings, boolean imageCache) {
        start(new WarmPoolReconciler(() -> controller, new SharedInformers(() -> controller, 500), 20,
                () -> gateway, settings, Duration.ofMillis(200), Clock.systemUTC(), new WarmPoolMetrics(registry),
                new ImageCacheView(imageCache), true));
    }

    static WarmPoolSettings hooks(String... names) {
        return new WarmPoolSettings(WarmupTaint.parse(WARMUP_TAINT), List.of(names),
                Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ofMinutes(15), Duration.ofMinutes(5));
    }

    static Node node(boolean ready, Taint... taints) {
        return new NodeBuilder()
                .withNewMetadata().withName(NODE).endMetadata()
                .withNewSpec().withProviderID("aws:///us-east-1a/" + ID).withTaints(taints).endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(ready ? "True" : "Unknown").endCondition()
                    .endStatus()
                .build();
    }

    Node current() {
        return client.nodes().withName(NODE).get();
    }

    void ready(boolean ready) {
        for (int attempt = 1; ; attempt++) {
            Node node = current();
            node.getStatus().getConditions().forEach(c -> c.setStatus(ready ? "True" : "Unknown"));
            try {
                client.nodes().resource(node).updateStatus();
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e; // 409: the running controller wrote the Node in between
                }
            }
        }
    }

    /** The test's own edit of the Node, retried when the running controller wrote it in between (409). */
    void editNode(java.util.function.UnaryOperator<Node> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                client.nodes().withName(NODE).edit(change);
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
    }

    long completions(String hook) {
        return stub.requests("CompleteLifecycleAction").stream().filter(r -> hook.equals(r.get("LifecycleHookName"))).count();
    }

    static Ended completed(String hook, String stage) {
        return new Ended(ID, hook, stage, "completed:CONTINUE");
    }

    /** Issue #24 case 1: one hook name; Auto Scaling runs it at both stages, Headstart completes it at both, once each. */
    @Test
    void oneHookIsCompletedAtBothStagesExactlyOnce() {
        stub.launchingHook(GROUP, "headstart-warmup", TIMEOUT, "ABANDON");
        stub.enter(ID, GROUP, "Warmed:Pending:Wait", "Warmed:Running");
        client.nodes().resource(node(true, warmup())).create();
        start(hooks("headstart-warmup"), false);

        eventually(WAIT, () -> assertThat(stub.state(ID)).isEqualTo("Warmed:Running"));
        passes(3);
        assertThat(completions("headstart-warmup")).isEqualTo(1);

        // Scale-out from a Running pool: the same kubelet, the same Node, still tainted.
        stub.enter(ID, GROUP, "Pending:Wait", "InService");
        eventually(WAIT, () -> {
            assertThat(stub.state(ID)).isEqualTo("InService");
            assertThat(current().getSpec().getTaints()).isNullOrEmpty();
        });
        passes(3);
        assertThat(stub.ended()).containsExactly(completed("headstart-warmup", "Warmed:Pending:Wait"),
                completed("headstart-warmup", "Pending:Wait"));
        assertThat(completions("headstart-warmup")).isEqualTo(2);
    }

    /** Case 1 with two names (docs used to recommend it): each is a launching hook, each is completed at each stage. */
    @Test
    void twoHookNamesAreBothCompletedAtEachStage() {
        stub.launchingHook(GROUP, "headstart-warmup", TIMEOUT, "CONTINUE");
        stub.launchingHook(GROUP, "headstart-launch", TIMEOUT, "ABANDON");
        stub.enter(ID, GROUP, "Warmed:Pending:Wait", "Warmed:Running");
        client.nodes().resource(node(true, warmup())).create();
        start(hooks("headstart-warmup", "headstart-launch"), false);

        eventually(WAIT, () -> assertThat(stub.state(ID)).isEqualTo("Warmed:Running"));
        stub.enter(ID, GROUP, "Pending:Wait", "InService");
        eventually(WAIT, () -> assertThat(stub.state(ID)).isEqualTo("InService"));
        passes(3);
        assertThat(stub.ended()).containsExactlyInAnyOrder(
                completed("headstart-warmup", "Warmed:Pending:Wait"), completed("headstart-launch", "Warmed:Pending:Wait"),
                completed("headstart-warmup", "Pending:Wait"), completed("headstart-launch", "Pending:Wait"));
        assertThat(completions("headstart-warmup")).isEqualTo(2);
        assertThat(completions("headstart-launch")).isEqualTo(2);
    }

    /** Case 2: a cold launch registers untainted; its hook is completed once the Node is Ready, not before. */
    @Test
    void aColdLaunchIsCompletedAsSoonAsItsNodeIsReady() {
        stub.launchingHook(GROUP, "headstart-warmup", Duration.ofSeconds(30), "ABANDON");
        stub.enter(ID, GROUP, "Pending:Wait", "InService");
        client.nodes().resource(node(false)).create();
        start(hooks("headstart-warmup"), false);

        passes(3);
        assertThat(stub.requests("CompleteLifecycleAction")).as("completed before the Node is Ready").isEmpty();
        assertThat(stub.state(ID)).isEqualTo("Pending:Wait");

        ready(true);
        eventually(WAIT, () -> assertThat(stub.state(ID)).isEqualTo("InService"));
        passes(3);
        assertThat(stub.ended()).containsExactly(completed("headstart-warmup", "Pending:Wait"));
        assertThat(completions("headstart-warmup")).isEqualTo(1);
        assertThat(current().getSpec().getTaints()).as("a cold node is never tainted").isNullOrEmpty();
        assertThat(current().getMetadata().getAnnotations()).containsEntry(WarmPoolReconciler.HOOKS_COMPLETED, "Pending:Wait");
    }

    /**
     * Case 2: an instance reused on scale-in goes back to a Running pool with its Node Ready and
     * untainted; the sweep finds it and taints it; when it leaves again its hook is completed and the
     * taint removed.
     */
    @Test
    void anInstanceReusedIntoARunningPoolIsTaintedAndCompletedWhenItLeavesAgain() {
        stub.launchingHook(GROUP, "headstart-warmup", TIMEOUT, "ABANDON");
        stub.instance(ID, GROUP, "Warmed:Running");
        client.nodes().resource(node(true)).create();
        // No cold-launch window: only the sweep looks at an untainted node.
        start(hooks("headstart-warmup").withWindows(Duration.ZERO, Duration.ofSeconds(1)), false);

        eventually(WAIT, () -> assertThat(current().getSpec().getTaints()).extracting(Taint::getKey)
                .containsExactly("headstart.dev/warmup"));
        assertThat(stub.requests("CompleteLifecycleAction")).isEmpty();

        stub.enter(ID, GROUP, "Pending:Wait", "InService");
        eventually(WAIT, () -> {
            assertThat(stub.state(ID)).isEqualTo("InService");
            assertThat(current().getSpec().getTaints()).isNullOrEmpty();
        });
        assertThat(stub.ended()).containsExactly(completed("headstart-warmup", "Pending:Wait"));
    }

    /**
     * Case 3: hibernation resumes the same kubelet, which does not register again: the Node must
     * survive Warmed:Hibernated (NotReady, tainted) and serve once the instance is back.
     */
    @Test
    void aHibernatedInstanceKeepsItsNodeAndServesAgain() {
        stub.launchingHook(GROUP, "headstart-warmup", TIMEOUT, "ABANDON");
        stub.enter(ID, GROUP, "Warmed:Pending:Wait", "Warmed:Hibernated");
        client.nodes().resource(node(true, warmup())).create();
        String uid = current().getMetadata().getUid();
        start(hooks("headstart-warmup"), false);
        eventually(WAIT, () -> assertThat(stub.state(ID)).isEqualTo("Warmed:Hibernated"));

        // Hibernated: the kubelet stops reporting, the cloud provider adds its shutdown taint.
        ready(false);
        editNode(n -> new NodeBuilder(n).editSpec().addToTaints(shutdown()).endSpec().build());
        passes(4);
        assertThat(current()).as("the Node of a hibernated instance").isNotNull();
        assertThat(current().getSpec().getTaints()).extracting(Taint::getKey)
                .containsExactlyInAnyOrder("headstart.dev/warmup", WarmPoolReconciler.SHUTDOWN_TAINT);

        // Scale-out: the instance resumes; the same kubelet reports Ready, the shutdown taint goes.
        stub.enter(ID, GROUP, "Pending:Wait", "InService");
        editNode(n -> new NodeBuilder(n).editSpec().withTaints(warmup()).endSpec().build());
        ready(true);
        eventually(WAIT, () -> {
            assertThat(stub.state(ID)).isEqualTo("InService");
            assertThat(current().getSpec().getTaints()).isNullOrEmpty();
        });
        assertThat(current().getMetadata().getUid()).isEqualTo(uid);
        assertThat(stub.ended()).containsExactly(completed("headstart-warmup", "Warmed:Pending:Wait"),
                completed("headstart-warmup", "Pending:Wait"));
    }

    /** Case 3: the Node of a stopped instance is deleted only while it is the same object (UID precondition). */
    @Test
    void aStoppedInstancesNodeIsDeletedOnlyIfItIsStillTheSameObject() {
        KubernetesMockServer api = PreconditionApiServer.start();
        preconditionServer = api;
        try (KubernetesClient fixtures = api.createClient();
             KubernetesClient asController = ComponentClient.of(Component.CONTROLLER, api, fixtures)) {
            fixtures.nodes().resource(node(false, warmup(), shutdown())).create();
            Node stale = fixtures.nodes().withName(NODE).get();
            // The started instance's fresh kubelet registered a new Node of the same name meanwhile.
            fixtures.nodes().withName(NODE).delete();
            fixtures.nodes().resource(node(true, warmup())).create();
            String fresh = fixtures.nodes().withName(NODE).get().getMetadata().getUid();
            assertThat(fresh).isNotEqualTo(stale.getMetadata().getUid());
            WarmPoolReconciler deleter = new WarmPoolReconciler(() -> asController, () -> gateway,
                    hooks("headstart-warmup"), Duration.ofSeconds(1), Clock.systemUTC(), new WarmPoolMetrics(registry), true);

            deleter.execute(stale, facts(stale), List.of(new WarmPoolAction.DeleteNode("Warmed:Stopped",
                    stale.getMetadata().getUid())));
            assertThat(fixtures.nodes().withName(NODE).get()).as("the re-registered Node").isNotNull()
                    .satisfies(n -> assertThat(n.getMetadata().getUid()).isEqualTo(fresh));

            Node same = fixtures.nodes().withName(NODE).get();
            deleter.execute(same, facts(same), List.of(new WarmPoolAction.DeleteNode("Warmed:Stopped", fresh)));
            assertThat(fixtures.nodes().withName(NODE).get()).isNull();
        } finally {
            api.destroy();
        }
    }

    static WarmNodeFacts facts(Node node) {
        java.time.Instant now = java.time.Instant.now();
        return new WarmNodeFacts(NODE, node.getMetadata().getUid(), false, true, true, true, List.of(), now,
                java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(),
                java.util.Optional.of(new AutoScalingGateway.InstanceLifecycle(ID, GROUP, "Warmed:Stopped")), List.of(),
                now, false);
    }

    /**
     * Case 5: the budget overrun is reported once per transition, and a hook that had already timed
     * out to its default result is named as such.
     */
    @Test
    void aBudgetOverrunIsReportedOnceAndATimedOutHookIsNamedSo() {
        // The hook times out after 2 s; Headstart's budget is 4 s and it sends no heartbeat before.
        // Another team's launching hook keeps the instance in Warmed:Pending:Wait meanwhile.
        stub.launchingHook(GROUP, "headstart-warmup", Duration.ofSeconds(2), "CONTINUE");
        stub.launchingHook(GROUP, "other-team", Duration.ofSeconds(120), "CONTINUE");
        stub.enter(ID, GROUP, "Warmed:Pending:Wait", "Warmed:Running");
        client.nodes().resource(node(true, warmup())).create();
        start(new WarmPoolSettings(WarmupTaint.parse(WARMUP_TAINT), List.of("headstart-warmup"),
                Duration.ofHours(1), Duration.ofSeconds(4), Duration.ofMinutes(15), Duration.ofMinutes(5)), true);

        eventually(WAIT, () -> assertThat(client.v1().events().inNamespace("default").list().getItems())
                .extracting(Event::getReason).contains("WarmupBudgetExceeded"));
        passes(5);
        List<Event> events = client.v1().events().inNamespace("default").list().getItems();
        assertThat(events).singleElement().satisfies(e -> assertThat(e.getMessage())
                .contains("headstart-warmup had already timed out to its default result CONTINUE")
                .doesNotContain("already completed"));
        assertThat(registry.get("headstart.warm.cache.budget.exceeded").counter().count()).isEqualTo(1);
        assertThat(stub.ended()).extracting(Ended::how).containsExactly("timeout:CONTINUE");
        assertThat(stub.requests("CompleteLifecycleAction")).hasSize(1);
        assertThat(current().getMetadata().getAnnotations())
                .containsEntry(WarmPoolReconciler.HOOKS_COMPLETED, "Warmed:Pending:Wait");
        assertThat(Map.copyOf(current().getMetadata().getAnnotations())).doesNotContainKey(WarmPoolReconciler.CACHE_COMPLETED_AT);
    }
}
