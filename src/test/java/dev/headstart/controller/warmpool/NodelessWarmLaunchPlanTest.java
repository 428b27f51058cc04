package dev.headstart.controller.warmpool;

import dev.headstart.controller.warmpool.AutoScalingGateway.InstanceLifecycle;
import dev.headstart.controller.warmpool.AutoScalingGateway.LifecycleHook;
import dev.headstart.controller.warmpool.NodelessWarmLaunchPlan.Completion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Which hooks of an EKS managed node group's warm pool are completed for instances with no Node, row by row. */
class NodelessWarmLaunchPlanTest {

    static final String ASG = "eks-workers-6ac7a1e2";
    static final String A = "i-0000000000000000a";
    static final String B = "i-0000000000000000b";
    static final LifecycleHook WARMUP = new LifecycleHook("headstart-warmup", Duration.ofSeconds(300), "ABANDON");
    static final LifecycleHook LAUNCH = new LifecycleHook("headstart-launch", Duration.ofSeconds(300), "CONTINUE");

    static InstanceLifecycle at(String id, String state) {
        return new InstanceLifecycle(id, ASG, state);
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                arguments("waiting, no Node: every driven hook",
                        List.of(at(A, "Warmed:Pending:Wait")), List.of(WARMUP, LAUNCH), Set.of(), Set.of(),
                        List.of(new Completion(ASG, A, WARMUP), new Completion(ASG, A, LAUNCH))),
                arguments("waiting with a Node (returning on scale-in): left to the per-node path",
                        List.of(at(A, "Warmed:Pending:Wait")), List.of(WARMUP), Set.of(A), Set.of(),
                        List.of()),
                arguments("already completed at this transition: no second call",
                        List.of(at(A, "Warmed:Pending:Wait")), List.of(WARMUP), Set.of(), Set.of(A),
                        List.of()),
                arguments("no hook Headstart drives: nothing",
                        List.of(at(A, "Warmed:Pending:Wait")), List.of(), Set.of(), Set.of(),
                        List.of()),
                arguments("past the hook stage (proceeding, stopped, hibernated, running): nothing",
                        List.of(at(A, "Warmed:Pending:Proceed"), at(B, "Warmed:Stopped"),
                                at("i-0000000000000000c", "Warmed:Hibernated"), at("i-0000000000000000d", "Warmed:Running")),
                        List.of(WARMUP), Set.of(), Set.of(), List.of()),
                arguments("only the instance without a Node, in instance order",
                        List.of(at(B, "Warmed:Pending:Wait"), at(A, "Warmed:Pending:Wait"),
                                at("i-0000000000000000c", "Warmed:Pending:Wait")),
                        List.of(WARMUP), Set.of("i-0000000000000000c"), Set.of(),
                        List.of(new Completion(ASG, A, WARMUP), new Completion(ASG, B, WARMUP))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void plan(String row, List<InstanceLifecycle> pool, List<LifecycleHook> hooks, Set<String> withNode,
              Set<String> completed, List<Completion> expected) {
        assertThat(NodelessWarmLaunchPlan.of(ASG, pool, hooks, withNode, completed)).containsExactlyElementsOf(expected);
    }
}
