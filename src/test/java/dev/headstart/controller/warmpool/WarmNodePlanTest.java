package dev.headstart.controller.warmpool;

import dev.headstart.controller.warmpool.AutoScalingGateway.InstanceLifecycle;
import dev.headstart.controller.warmpool.WarmPoolAction.CompleteLifecycleAction;
import dev.headstart.controller.warmpool.WarmPoolAction.DeleteNode;
import dev.headstart.controller.warmpool.WarmPoolAction.MarkCacheComplete;
import dev.headstart.controller.warmpool.WarmPoolAction.MarkHeartbeat;
import dev.headstart.controller.warmpool.WarmPoolAction.RecordHeartbeat;
import dev.headstart.controller.warmpool.WarmPoolAction.RemoveWarmupTaint;
import dev.headstart.controller.warmpool.WarmPoolAction.Why;
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

/** The warm-pool state machine, row by row. */
class WarmNodePlanTest {

    static final String ID = "i-0123456789abcdef0";
    static final String ASG = "workers";
    static final Instant REGISTERED = Instant.parse("2026-01-01T10:00:00Z");
    static final WarmPoolSettings SETTINGS = new WarmPoolSettings(WarmupTaint.parse("headstart.dev/warmup=true:NoSchedule"),
            "headstart-warmup", Optional.of("headstart-launch"), Duration.ofSeconds(60), Duration.ofMinutes(10));
    static final WarmPoolSettings NO_LAUNCH_HOOK = new WarmPoolSettings(SETTINGS.taint(), "headstart-warmup",
            Optional.empty(), Duration.ofSeconds(60), Duration.ofMinutes(10));

    /** tainted, shutdown, cache complete, cache-completed-at, heartbeat-at, state, seconds since registration. */
    static WarmNodeFacts facts(boolean tainted, boolean shutdown, boolean cacheComplete, Integer completedAt,
                               Integer heartbeatAt, String state, int now) {
        return new WarmNodeFacts("ip-10-0-1-2", tainted, shutdown, cacheComplete, List.of(), REGISTERED,
                Optional.ofNullable(completedAt).map(REGISTERED::plusSeconds),
                Optional.ofNullable(heartbeatAt).map(REGISTERED::plusSeconds),
                Optional.ofNullable(state).map(s -> new InstanceLifecycle(ID, ASG, s)),
                REGISTERED.plusSeconds(now), false);
    }

    static Instant at(int seconds) {
        return REGISTERED.plusSeconds(seconds);
    }

    static Stream<Arguments> rows() {
        CompleteLifecycleAction warmupDone = new CompleteLifecycleAction(ASG, "headstart-warmup", ID, Why.CACHE_COMPLETE);
        return Stream.of(
                arguments("warming, cache not complete, heartbeat not due",
                        facts(true, false, false, null, null, "Warmed:Pending:Wait", 30), SETTINGS,
                        WarmNodeState.WARMING, List.of()),
                arguments("warming, first heartbeat due one interval after registration",
                        facts(true, false, false, null, null, "Warmed:Pending:Wait", 60), SETTINGS,
                        WarmNodeState.WARMING, List.of(new RecordHeartbeat(ASG, "headstart-warmup", ID), new MarkHeartbeat(at(60)))),
                arguments("warming, next heartbeat counts from the last one",
                        facts(true, false, false, null, 100, "Warmed:Pending:Wait", 150), SETTINGS,
                        WarmNodeState.WARMING, List.of()),
                arguments("warming, next heartbeat due",
                        facts(true, false, false, null, 100, "Warmed:Pending:Wait", 160), SETTINGS,
                        WarmNodeState.WARMING, List.of(new RecordHeartbeat(ASG, "headstart-warmup", ID), new MarkHeartbeat(at(160)))),
                arguments("warming, cache complete: mark, then complete CONTINUE",
                        facts(true, false, true, null, null, "Warmed:Pending:Wait", 90), SETTINGS,
                        WarmNodeState.WARMING, List.of(new MarkCacheComplete(at(90)), warmupDone)),
                arguments("warming, cache complete and already marked (restart): complete again, idempotent",
                        facts(true, false, true, 90, null, "Warmed:Pending:Wait", 120), SETTINGS,
                        WarmNodeState.WARMING, List.of(warmupDone)),
                arguments("warming, budget spent: continue anyway",
                        facts(true, false, false, null, 540, "Warmed:Pending:Wait", 600), SETTINGS,
                        WarmNodeState.WARMING,
                        List.of(new CompleteLifecycleAction(ASG, "headstart-warmup", ID, Why.BUDGET_EXCEEDED))),
                arguments("warm and running in the pool: nothing",
                        facts(true, false, true, 90, null, "Warmed:Running", 900), SETTINGS, WarmNodeState.WARM, List.of()),
                arguments("warm, being stopped: nothing yet",
                        facts(true, false, true, 90, null, "Warmed:Pending:Proceed", 900), SETTINGS, WarmNodeState.WARM, List.of()),
                arguments("stopped warm instance: delete the Node",
                        facts(true, true, true, 90, null, "Warmed:Stopped", 900), SETTINGS,
                        WarmNodeState.STOPPED, List.of(new DeleteNode("Warmed:Stopped"))),
                arguments("hibernated warm instance: delete the Node",
                        facts(false, true, false, null, null, "Warmed:Hibernated", 900), SETTINGS,
                        WarmNodeState.STOPPED, List.of(new DeleteNode("Warmed:Hibernated"))),
                arguments("shutdown taint but AWS says InService: not ours to delete",
                        facts(false, true, false, null, null, "InService", 900), SETTINGS, WarmNodeState.STOPPED, List.of()),
                arguments("shutdown taint, instance in no group: nothing",
                        facts(true, true, false, null, null, null, 900), SETTINGS, WarmNodeState.STOPPED, List.of()),
                arguments("leaving the pool: complete the launch hook, then remove the taint",
                        facts(true, false, false, null, null, "Pending:Wait", 5), SETTINGS, WarmNodeState.LEAVING,
                        List.of(new CompleteLifecycleAction(ASG, "headstart-launch", ID, Why.LEAVING_POOL), new RemoveWarmupTaint())),
                arguments("leaving the pool without a configured launch hook: only the taint",
                        facts(true, false, false, null, null, "Pending:Wait", 5), NO_LAUNCH_HOOK, WarmNodeState.LEAVING,
                        List.of(new RemoveWarmupTaint())),
                arguments("in service and still tainted: remove the taint",
                        facts(true, false, false, null, null, "InService", 5), SETTINGS, WarmNodeState.LEAVING,
                        List.of(new RemoveWarmupTaint())),
                arguments("pending proceed and still tainted: remove the taint",
                        facts(true, false, false, null, null, "Pending:Proceed", 5), SETTINGS, WarmNodeState.LEAVING,
                        List.of(new RemoveWarmupTaint())),
                arguments("tainted but in no Auto Scaling group: nothing",
                        facts(true, false, true, null, null, null, 5), SETTINGS, WarmNodeState.UNKNOWN, List.of()),
                arguments("terminating: nothing",
                        facts(true, false, true, null, null, "Terminating:Wait", 5), SETTINGS, WarmNodeState.UNKNOWN, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void plans(String description, WarmNodeFacts facts, WarmPoolSettings settings, WarmNodeState state,
               List<WarmPoolAction> actions) {
        WarmNodePlan plan = WarmNodePlan.of(facts, settings);
        assertThat(plan.state()).isEqualTo(state);
        assertThat(plan.actions()).containsExactlyElementsOf(actions);
    }
}
