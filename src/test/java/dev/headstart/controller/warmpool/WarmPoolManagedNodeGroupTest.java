package dev.headstart.controller.warmpool;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nodes of an EKS managed node group with a native warm pool, against the fabric8 mock API server
 * and the real AWS SDK talking to the Auto Scaling stub. EKS joins such an instance only after it
 * leaves the pool and owns the group's lifecycle hooks: Headstart leaves untainted nodes alone,
 * removes a warm-up taint without any hook call, never acts on a node returning to the pool, and
 * deletes the NotReady Node of an instance stopped back into the pool (reuseOnScaleIn).
 */
class WarmPoolManagedNodeGroupTest extends WarmPoolMockClusterTest {

    static final String ASG = "eks-workers-6ac7a1e2-0000-0000-0000-000000000000";
    static final Duration WAIT = Duration.ofSeconds(15);

    /** With a launch hook configured (as for self-managed groups in the same cluster) and a zero cache budget. */
    void startReconciler() {
        WarmPoolSettings settings = new WarmPoolSettings(WarmupTaint.parse(WARMUP_TAINT),
                "headstart-warmup", Optional.of("headstart-launch"), Duration.ofSeconds(1), Duration.ZERO);
        start(new WarmPoolReconciler(() -> controller, () -> gateway, settings, Duration.ofMillis(200),
                Clock.systemUTC(), new WarmPoolMetrics(registry), true));
    }

    /** A node as EKS registers it for a managed node group: the nodegroup label from kubelet's --node-labels. */
    static Node managedNode(String name, String instanceId, Taint... taints) {
        return registeredNode(name, instanceId)
                .editMetadata()
                    .addToLabels(EksManagedNodeGroup.LABEL, "workers")
                    .addToLabels("eks.amazonaws.com/capacityType", "ON_DEMAND")
                .endMetadata()
                .editSpec().withTaints(taints).endSpec()
                .build();
    }

    Node node(String name) {
        return client.nodes().withName(name).get();
    }

    /** What the cloud provider and kubelet leave on the Node of a stopped instance. */
    void stopped(String name) {
        Node current = node(name);
        current.getStatus().getConditions().forEach(c -> {
            c.setStatus("Unknown");
            c.setReason("NodeStatusUnknown");
        });
        client.nodes().resource(current).updateStatus();
        // Last: from here on the Node may be deleted at any moment.
        client.nodes().withName(name).edit(n -> new NodeBuilder(n).editSpec()
                .addToTaints(shutdown()).endSpec().build());
    }

    double gauge(String state) {
        return registry.get("headstart.warm.nodes").tag("state", state).gauge().value();
    }

    @Test
    void aNodeThatJoinsInServiceWithoutTheTaintIsLeftAlone() {
        stub.instance("i-0000000000000000a", ASG, "InService");
        client.nodes().resource(managedNode("ip-10-0-1-10.ec2.internal", "i-0000000000000000a")).create();
        String version = node("ip-10-0-1-10.ec2.internal").getMetadata().getResourceVersion();
        startReconciler();

        passes(3);
        // Young, so described once (it could be a cold launch waiting in Pending:Wait); seen in
        // service, not again until the sweep comes round. Its group's launching hooks once per sweep
        // interval (none is Headstart's, so its warm pool is not described); nothing else.
        assertThat(stub.requests()).as("Auto Scaling calls for an untainted node in service")
                .extracting(r -> r.get("Action")).containsExactly("DescribeAutoScalingInstances", "DescribeLifecycleHooks");
        assertThat(node("ip-10-0-1-10.ec2.internal").getMetadata().getResourceVersion()).isEqualTo(version);
        for (WarmNodeState state : WarmNodeState.values()) {
            assertThat(gauge(state.label())).as("warm nodes in state " + state.label()).isZero();
        }
    }

    @Test
    void aTaintedNodeLeavingThePoolLosesTheTaintWithoutAnyHookCall() {
        String name = "ip-10-0-1-11.ec2.internal";
        stub.instance("i-0000000000000000b", ASG, "Pending:Wait");
        // Even if a hook of that name paused the instance, the EKS-managed group's hooks are not Headstart's.
        stub.activeAction("headstart-launch", "i-0000000000000000b");
        client.nodes().resource(managedNode(name, "i-0000000000000000b", warmup())).create();
        startReconciler();

        eventually(WAIT, () -> assertThat(node(name).getSpec().getTaints()).isNullOrEmpty());
        passes(3);
        assertThat(stub.requests("CompleteLifecycleAction")).isEmpty();
        assertThat(stub.requests("RecordLifecycleActionHeartbeat")).isEmpty();
        assertThat(stub.actionActive("headstart-launch", "i-0000000000000000b")).isTrue();
        assertThat(node(name).getMetadata().getLabels()).containsEntry(EksManagedNodeGroup.LABEL, "workers");
    }

    /**
     * A hook named as Headstart's on a managed group (the docs say not to add one; someone did):
     * completed at Pending:Wait once the Node is Ready, as on a self-managed group, instead of
     * holding every launch for its whole heartbeat timeout. EKS's own hooks are never touched.
     */
    @Test
    void aHookNamedAsHeadstartsOnAManagedGroupIsCompletedAtPendingWait() {
        String name = "ip-10-0-1-14.ec2.internal";
        stub.launchingHook(ASG, "headstart-launch", Duration.ofSeconds(120), "ABANDON");
        stub.launchingHook(ASG, "eks-own-hook", Duration.ofSeconds(120), "CONTINUE");
        stub.enter("i-0000000000000000e", ASG, "Pending:Wait", "InService");
        client.nodes().resource(managedNode(name, "i-0000000000000000e")).create();
        startReconciler();

        eventually(WAIT, () -> assertThat(stub.requests("CompleteLifecycleAction")).hasSize(1));
        passes(3);
        assertThat(stub.requests("CompleteLifecycleAction")).extracting(r -> r.get("LifecycleHookName"))
                .containsExactly("headstart-launch");
        assertThat(stub.actionActive("eks-own-hook", "i-0000000000000000e")).isTrue();
    }

    @Test
    void aNodeReturningToAStoppedPoolGetsNoHookCallIsTaintedAndOnceStoppedItsNodeIsDeleted() {
        String untainted = "ip-10-0-1-12.ec2.internal";
        String tainted = "ip-10-0-1-13.ec2.internal";
        // Scale-in with reuseOnScaleIn: both instances return to the pool, held in Warmed:Pending:Wait
        // by the group's terminating hook while EKS drains them; one still carries the warm-up taint.
        stub.instance("i-0000000000000000c", ASG, "Warmed:Pending:Wait");
        stub.instance("i-0000000000000000d", ASG, "Warmed:Pending:Wait");
        client.nodes().resource(managedNode(untainted, "i-0000000000000000c")).create();
        client.nodes().resource(managedNode(tainted, "i-0000000000000000d", warmup())).create();
        startReconciler();

        eventually(WAIT, () -> assertThat(stub.requests("DescribeAutoScalingInstances")).hasSizeGreaterThanOrEqualTo(3));
        passes(2);
        // Registered long before (budget zero), heartbeat due: no hook call, no budget overrun reported.
        assertThat(stub.requests("CompleteLifecycleAction")).isEmpty();
        assertThat(stub.requests("RecordLifecycleActionHeartbeat")).isEmpty();
        assertThat(client.v1().events().inNamespace("default").list().getItems()).isEmpty();
        assertThat(registry.get("headstart.warm.cache.budget.exceeded").counter().count()).isZero();
        // Back in the pool: no pod may land on either (the untainted one gets the warm-up taint).
        eventually(WAIT, () -> assertThat(gauge("warm")).isEqualTo(2.0));
        assertThat(gauge("warming")).isZero();
        assertThat(node(tainted).getSpec().getTaints()).extracting(Taint::getKey).containsExactly("headstart.dev/warmup");
        assertThat(node(untainted).getSpec().getTaints()).extracting(Taint::getKey).containsExactly("headstart.dev/warmup");

        // Stopped into the pool: the cloud provider taints the Node, kubelet stops reporting. Both are deleted.
        stub.instance("i-0000000000000000c", ASG, "Warmed:Stopped");
        stub.instance("i-0000000000000000d", ASG, "Warmed:Stopped");
        stopped(untainted);
        stopped(tainted);
        eventually(WAIT, () -> {
            assertThat(node(untainted)).isNull();
            assertThat(node(tainted)).isNull();
        });
        assertThat(stub.requests("CompleteLifecycleAction")).isEmpty();
    }
}
