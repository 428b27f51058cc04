package dev.headstart.controller.warmpool;

import dev.headstart.controller.warmpool.AutoScalingGateway.InstanceLifecycle;
import dev.headstart.controller.warmpool.WarmPoolAction.DeleteNode;
import dev.headstart.controller.warmpool.WarmPoolAction.RemoveWarmupTaint;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The warm-pool state machine for nodes of an EKS managed node group with a native warm pool: EKS
 * owns the group's Auto Scaling group and joins an instance only after it leaves the pool, so
 * Headstart makes no lifecycle-hook call there; it removes the warm-up taint and cleans up the
 * Nodes of stopped warm instances as for any group.
 */
class WarmNodePlanManagedNodeGroupTest {

    static final String ID = "i-0123456789abcdef0";
    static final String ASG = "eks-workers-6ac7a1e2-0000-0000-0000-000000000000";
    static final Instant REGISTERED = Instant.parse("2026-01-01T10:00:00Z");
    static final WarmPoolSettings SETTINGS = new WarmPoolSettings(WarmupTaint.parse("headstart.dev/warmup=true:NoSchedule"),
            "headstart-warmup", Optional.of("headstart-launch"), Duration.ofSeconds(60), Duration.ofMinutes(10));

    /** A node of a managed node group: tainted, shutdown, cache complete, heartbeat-at, state, seconds since registration. */
    static WarmNodeFacts managed(boolean tainted, boolean shutdown, boolean cacheComplete, Integer heartbeatAt,
                                 String state, int now) {
        return new WarmNodeFacts("ip-10-0-1-2", "uid-1", !shutdown, tainted, shutdown, cacheComplete, List.of(), REGISTERED,
                Optional.empty(), Optional.ofNullable(heartbeatAt).map(REGISTERED::plusSeconds), Optional.empty(),
                Optional.of(new InstanceLifecycle(ID, ASG, state)), List.of(), REGISTERED.plusSeconds(now), true);
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                arguments("returning to the pool on scale-in, budget long spent: no hook call, no budget overrun",
                        managed(true, false, false, null, "Warmed:Pending:Wait", 7200), WarmNodeState.WARM, List.of()),
                arguments("returning to the pool, heartbeat would be due: none sent",
                        managed(true, false, false, null, "Warmed:Pending:Wait", 60), WarmNodeState.WARM, List.of()),
                arguments("returning to the pool with a complete cache: nothing to complete",
                        managed(true, false, true, null, "Warmed:Pending:Wait", 90), WarmNodeState.WARM, List.of()),
                arguments("leaving the pool with a launch hook configured: only the taint, EKS owns the group's hooks",
                        managed(true, false, false, null, "Pending:Wait", 5), WarmNodeState.LEAVING,
                        List.of(new RemoveWarmupTaint())),
                arguments("joined in service, still tainted: remove the taint",
                        managed(true, false, false, null, "InService", 5), WarmNodeState.LEAVING,
                        List.of(new RemoveWarmupTaint())),
                arguments("returned with reuseOnScaleIn and stopped: delete the NotReady Node",
                        managed(false, true, false, null, "Warmed:Stopped", 900), WarmNodeState.STOPPED,
                        List.of(new DeleteNode("Warmed:Stopped", "uid-1"))),
                arguments("returned and hibernated: the Node stays (same kubelet on resume), tainted",
                        managed(false, true, false, null, "Warmed:Hibernated", 900), WarmNodeState.STOPPED,
                        List.of(new WarmPoolAction.AddWarmupTaint("Warmed:Hibernated"))),
                arguments("returned into a Running pool, untainted: tainted so no pod lands there",
                        managed(false, false, false, null, "Warmed:Running", 900), WarmNodeState.WARM,
                        List.of(new WarmPoolAction.AddWarmupTaint("Warmed:Running"))),
                arguments("stopping while in service: not a warm instance at rest, left alone",
                        managed(false, true, false, null, "InService", 900), WarmNodeState.STOPPED, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void plans(String description, WarmNodeFacts facts, WarmNodeState state, List<WarmPoolAction> actions) {
        WarmNodePlan plan = WarmNodePlan.of(facts, SETTINGS);
        assertThat(plan.state()).isEqualTo(state);
        assertThat(plan.actions()).containsExactlyElementsOf(actions);
    }
}
