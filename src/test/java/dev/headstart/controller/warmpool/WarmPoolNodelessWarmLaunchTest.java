package dev.headstart.controller.warmpool;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Instances launched into a warm pool where no Node will come (an EKS managed node group's: they
 * join only after leaving the pool), paused at {@code Warmed:Pending:Wait} by a launching hook
 * Headstart drives: found through DescribeWarmPool and completed at once, against the fabric8 mock
 * API server and the real AWS SDK talking to the Auto Scaling stub. A self-managed group's instance
 * keeps waiting for its Node; an instance that has a Node is left to the per-node path.
 */
class WarmPoolNodelessWarmLaunchTest extends WarmPoolMockClusterTest {

    static final String MANAGED = "eks-workers-6ac7a1e2-0000-0000-0000-000000000000";
    static final String SELF_MANAGED = "self-managed-nodes";
    static final String HOOK = "headstart-warmup";
    /** Far longer than the test waits: a completion seen within it was not the timeout's. */
    static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(120);
    static final Duration WAIT = Duration.ofSeconds(15);

    static Node node(String name, String instanceId, boolean managed) {
        NodeBuilder node = registeredNode(name, instanceId);
        if (managed) {
            node.editMetadata().addToLabels(EksManagedNodeGroup.LABEL, "workers").endMetadata();
        }
        return node.build();
    }

    long completions(String instanceId) {
        return stub.requests("CompleteLifecycleAction").stream()
                .filter(r -> instanceId.equals(r.get("InstanceId"))).count();
    }

    @Test
    void aManagedNodeGroupInstanceEnteringThePoolIsCompletedAtOnceOthersAreNot() {
        // Headstart's hook on both groups (against the docs' advice for the managed one).
        stub.launchingHook(MANAGED, HOOK, HEARTBEAT_TIMEOUT, "ABANDON");
        stub.launchingHook(SELF_MANAGED, HOOK, HEARTBEAT_TIMEOUT, "ABANDON");
        // Nodes in service tell Headstart which group holds EKS managed nodes.
        stub.instance("i-00000000000000001", MANAGED, "InService");
        stub.instance("i-00000000000000002", SELF_MANAGED, "InService");
        client.nodes().resource(node("ip-10-0-2-1.ec2.internal", "i-00000000000000001", true)).create();
        client.nodes().resource(node("ip-10-0-2-2.ec2.internal", "i-00000000000000002", false)).create();
        // A managed instance at Warmed:Pending:Wait that has a Node (back on scale-in): the per-node path's.
        stub.enter("i-00000000000000003", MANAGED, "Warmed:Pending:Wait", "Warmed:Stopped");
        client.nodes().resource(node("ip-10-0-2-3.ec2.internal", "i-00000000000000003", true)).create();
        // Enough instances already in the pool that its description takes pages.
        stub.instance("i-00000000000000005", MANAGED, "Warmed:Stopped");
        stub.instance("i-00000000000000006", MANAGED, "Warmed:Hibernated");
        stub.warmPoolPageSize(2);
        WarmPoolSettings settings = new WarmPoolSettings(WarmupTaint.parse(WARMUP_TAINT),
                HOOK, Optional.of("headstart-launch"), Duration.ofSeconds(1), Duration.ZERO);
        start(new WarmPoolReconciler(() -> controller, () -> gateway, settings, Duration.ofMillis(200),
                Clock.systemUTC(), new WarmPoolMetrics(registry), true));
        eventually(WAIT, () -> assertThat(stub.requests("DescribeWarmPool")).isNotEmpty());

        // Scale-out of the pools: one instance launched into each; neither will have a Node there.
        stub.enter("i-00000000000000004", MANAGED, "Warmed:Pending:Wait", "Warmed:Stopped");
        stub.enter("i-00000000000000007", SELF_MANAGED, "Warmed:Pending:Wait", "Warmed:Stopped");

        eventually(WAIT, () -> assertThat(stub.state("i-00000000000000004")).isEqualTo("Warmed:Stopped"));
        assertThat(stub.ended()).contains(new AutoScalingStub.Ended("i-00000000000000004", HOOK,
                "Warmed:Pending:Wait", "completed:CONTINUE"));
        passes(5);
        // Once per transition.
        assertThat(completions("i-00000000000000004")).isEqualTo(1);
        assertThat(registry.get("headstart.lifecycle.actions").tags("action", "complete_nodeless", "result", "ok")
                .counter().count()).isEqualTo(1.0);
        // The self-managed instance waits for its Node (its hook's timeout covers a failed boot).
        assertThat(completions("i-00000000000000007")).isZero();
        assertThat(stub.actionActive(HOOK, "i-00000000000000007")).isTrue();
        assertThat(stub.requests("DescribeWarmPool")).allSatisfy(r ->
                assertThat(r).containsEntry("AutoScalingGroupName", MANAGED));
        // The instance with a Node is left to the per-node path, which makes no hook call for EKS's groups.
        assertThat(completions("i-00000000000000003")).isZero();
        assertThat(stub.actionActive(HOOK, "i-00000000000000003")).isTrue();
        // Paged, and bounded: the group's hooks described once (per sweep interval), its pool at most once a pass.
        assertThat(stub.requests("DescribeWarmPool")).anySatisfy(r -> assertThat(r).containsKey("NextToken"));
        assertThat(stub.requests("DescribeLifecycleHooks")).hasSize(1);
        assertThat(stub.requests("DescribeWarmPool").stream().filter(r -> !r.containsKey("NextToken")).count())
                .isLessThanOrEqualTo(reconciler.passes());
    }
}
