package dev.headstart.controller.warmpool;

import dev.headstart.controller.warmpool.AutoScalingGateway.InstanceLifecycle;
import dev.headstart.controller.warmpool.AutoScalingGateway.LifecycleHook;
import dev.headstart.controller.warmpool.WarmNodeFacts.HooksCompleted;
import dev.headstart.controller.warmpool.WarmPoolAction.AddWarmupTaint;
import dev.headstart.controller.warmpool.WarmPoolAction.CompleteLifecycleAction;
import dev.headstart.controller.warmpool.WarmPoolAction.DeleteNode;
import dev.headstart.controller.warmpool.WarmPoolAction.MarkCacheComplete;
import dev.headstart.controller.warmpool.WarmPoolAction.MarkHeartbeat;
import dev.headstart.controller.warmpool.WarmPoolAction.MarkHooksCompleted;
import dev.headstart.controller.warmpool.WarmPoolAction.RecordHeartbeat;
import dev.headstart.controller.warmpool.WarmPoolAction.RemoveWarmupTaint;
import dev.headstart.controller.warmpool.WarmPoolAction.Why;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The warm-pool state machine, row by row. */
class WarmNodePlanTest {

    static final String ID = "i-0123456789abcdef0";
    static final String ASG = "workers";
    static final String UID = "0b5c1f0e-uid";
    static final Instant REGISTERED = Instant.parse("2026-01-01T10:00:00Z");
    static final WarmPoolSettings SETTINGS = new WarmPoolSettings(WarmupTaint.parse("headstart.dev/warmup=true:NoSchedule"),
            "headstart-warmup", Optional.empty(), Duration.ofSeconds(60), Duration.ofMinutes(10));
    static final LifecycleHook WARMUP = new LifecycleHook("headstart-warmup", Duration.ofSeconds(300), "CONTINUE");
    static final LifecycleHook LAUNCH = new LifecycleHook("headstart-launch", Duration.ofSeconds(300), "ABANDON");

    /** A node's facts, built up per row. */
    record F(boolean tainted, boolean shutdown, boolean ready, boolean cacheComplete, Integer completedAt,
             Integer heartbeatAt, HooksCompleted mark, String state, List<LifecycleHook> hooks, int now) {

        static F at(String state, int now) {
            return new F(true, false, true, false, null, null, null, state, List.of(WARMUP), now);
        }

        F untainted() { return new F(false, shutdown, ready, cacheComplete, completedAt, heartbeatAt, mark, state, hooks, now); }
        F shutdownTainted() { return new F(tainted, true, false, cacheComplete, completedAt, heartbeatAt, mark, state, hooks, now); }
        F notReady() { return new F(tainted, shutdown, false, cacheComplete, completedAt, heartbeatAt, mark, state, hooks, now); }
        F cache() { return new F(tainted, shutdown, ready, true, completedAt, heartbeatAt, mark, state, hooks, now); }
        F cacheMarked(int at) { return new F(tainted, shutdown, ready, true, at, heartbeatAt, mark, state, hooks, now); }
        F heartbeat(int at) { return new F(tainted, shutdown, ready, cacheComplete, completedAt, at, mark, state, hooks, now); }
        F marked(String stage, int at) {
            return new F(tainted, shutdown, ready, cacheComplete, completedAt, heartbeatAt,
                    new HooksCompleted(stage, REGISTERED.plusSeconds(at)), state, hooks, now);
        }
        F driving(LifecycleHook... h) { return new F(tainted, shutdown, ready, cacheComplete, completedAt, heartbeatAt, mark, state, List.of(h), now); }

        WarmNodeFacts facts() {
            return new WarmNodeFacts("ip-10-0-1-2", UID, ready, tainted, shutdown, cacheComplete, List.of(), REGISTERED,
                    Optional.ofNullable(completedAt).map(REGISTERED::plusSeconds),
                    Optional.ofNullable(heartbeatAt).map(REGISTERED::plusSeconds),
                    Optional.ofNullable(mark),
                    Optional.ofNullable(state).map(s -> new InstanceLifecycle(ID, ASG, s)),
                    hooks, REGISTERED.plusSeconds(now), false);
        }
    }

    static Instant at(int seconds) {
        return REGISTERED.plusSeconds(seconds);
    }

    static CompleteLifecycleAction complete(LifecycleHook hook, Why why) {
        return new CompleteLifecycleAction(ASG, hook, ID, why);
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                arguments("warming, cache not complete, heartbeat not due",
                        F.at("Warmed:Pending:Wait", 30), WarmNodeState.WARMING, List.of()),
                arguments("warming, first heartbeat due one interval after registration",
                        F.at("Warmed:Pending:Wait", 60), WarmNodeState.WARMING,
                        List.of(new RecordHeartbeat(ASG, "headstart-warmup", ID), new MarkHeartbeat(at(60)))),
                arguments("warming, two launching hooks: both get the heartbeat",
                        F.at("Warmed:Pending:Wait", 60).driving(WARMUP, LAUNCH), WarmNodeState.WARMING,
                        List.of(new RecordHeartbeat(ASG, "headstart-warmup", ID), new RecordHeartbeat(ASG, "headstart-launch", ID),
                                new MarkHeartbeat(at(60)))),
                arguments("warming, next heartbeat counts from the last one",
                        F.at("Warmed:Pending:Wait", 150).heartbeat(100), WarmNodeState.WARMING, List.of()),
                arguments("warming, next heartbeat due",
                        F.at("Warmed:Pending:Wait", 160).heartbeat(100), WarmNodeState.WARMING,
                        List.of(new RecordHeartbeat(ASG, "headstart-warmup", ID), new MarkHeartbeat(at(160)))),
                arguments("warming, cache complete: mark, complete CONTINUE, record the stage",
                        F.at("Warmed:Pending:Wait", 90).cache(), WarmNodeState.WARMING,
                        List.of(new MarkCacheComplete(at(90)), complete(WARMUP, Why.CACHE_COMPLETE),
                                new MarkHooksCompleted("Warmed:Pending:Wait", at(90)))),
                arguments("warming, cache complete, two launching hooks: every one is completed",
                        F.at("Warmed:Pending:Wait", 90).cacheMarked(80).driving(WARMUP, LAUNCH), WarmNodeState.WARMING,
                        List.of(complete(WARMUP, Why.CACHE_COMPLETE), complete(LAUNCH, Why.CACHE_COMPLETE),
                                new MarkHooksCompleted("Warmed:Pending:Wait", at(90)))),
                arguments("warming, hooks of this stage already completed: nothing more (once per transition)",
                        F.at("Warmed:Pending:Wait", 400).cacheMarked(90).marked("Warmed:Pending:Wait", 90),
                        WarmNodeState.WARMING, List.of()),
                arguments("warming, budget spent: continue anyway, once",
                        F.at("Warmed:Pending:Wait", 600).heartbeat(540), WarmNodeState.WARMING,
                        List.of(complete(WARMUP, Why.BUDGET_EXCEEDED), new MarkHooksCompleted("Warmed:Pending:Wait", at(600)))),
                arguments("warming, budget spent and already completed: no second overrun",
                        F.at("Warmed:Pending:Wait", 900).marked("Warmed:Pending:Wait", 600), WarmNodeState.WARMING, List.of()),
                arguments("back in the pool after serving (went through Pending:Wait): no launching hook runs, nothing",
                        F.at("Warmed:Pending:Wait", 9000).marked("Pending:Wait", 100), WarmNodeState.WARMING, List.of()),
                arguments("in Warmed:Pending:Wait untainted (returning, or user data without taint): taint it",
                        F.at("Warmed:Pending:Wait", 30).untainted(), WarmNodeState.WARMING,
                        List.of(new AddWarmupTaint("Warmed:Pending:Wait"))),
                arguments("warm and running in the pool: nothing",
                        F.at("Warmed:Running", 900).cacheMarked(90), WarmNodeState.WARM, List.of()),
                arguments("reused on scale-in into a Running pool, untainted: taint it so no pod lands",
                        F.at("Warmed:Running", 9000).untainted(), WarmNodeState.WARM, List.of(new AddWarmupTaint("Warmed:Running"))),
                arguments("warm, being stopped: nothing yet",
                        F.at("Warmed:Pending:Proceed", 900).cacheMarked(90), WarmNodeState.WARM, List.of()),
                arguments("stopped warm instance: delete the Node, by UID",
                        F.at("Warmed:Stopped", 900).shutdownTainted(), WarmNodeState.STOPPED, List.of(new DeleteNode("Warmed:Stopped", UID))),
                arguments("hibernated warm instance, tainted: the Node stays (the kubelet will not register again)",
                        F.at("Warmed:Hibernated", 900).shutdownTainted(), WarmNodeState.STOPPED, List.of()),
                arguments("hibernated after serving, untainted: the Node stays and gets the taint",
                        F.at("Warmed:Hibernated", 900).untainted().shutdownTainted(), WarmNodeState.STOPPED,
                        List.of(new AddWarmupTaint("Warmed:Hibernated"))),
                arguments("shutdown taint but AWS says InService: not ours to delete",
                        F.at("InService", 900).untainted().shutdownTainted(), WarmNodeState.STOPPED, List.of()),
                arguments("shutdown taint, instance in no group: nothing",
                        F.at(null, 900).shutdownTainted(), WarmNodeState.STOPPED, List.of()),
                arguments("leaving the pool, Ready: complete every hook, record the stage, remove the taint",
                        F.at("Pending:Wait", 5).driving(WARMUP, LAUNCH).marked("Warmed:Pending:Wait", 1), WarmNodeState.LEAVING,
                        List.of(complete(WARMUP, Why.ENTERING_SERVICE), complete(LAUNCH, Why.ENTERING_SERVICE),
                                new MarkHooksCompleted("Pending:Wait", at(5)), new RemoveWarmupTaint())),
                arguments("leaving the pool, not Ready yet: wait (the hook holds it out of service)",
                        F.at("Pending:Wait", 5).notReady(), WarmNodeState.LEAVING, List.of()),
                arguments("cold launch straight into Pending:Wait, untainted and Ready: complete the hook",
                        F.at("Pending:Wait", 40).untainted(), WarmNodeState.LEAVING,
                        List.of(complete(WARMUP, Why.ENTERING_SERVICE), new MarkHooksCompleted("Pending:Wait", at(40)))),
                arguments("cold launch, hook completed a moment ago: not again",
                        F.at("Pending:Wait", 45).untainted().marked("Pending:Wait", 40), WarmNodeState.LEAVING, List.of()),
                arguments("Pending:Wait long after the last completion there: a new launch out of the pool",
                        F.at("Pending:Wait", 9000).marked("Pending:Wait", 40), WarmNodeState.LEAVING,
                        List.of(complete(WARMUP, Why.ENTERING_SERVICE), new MarkHooksCompleted("Pending:Wait", at(9000)),
                                new RemoveWarmupTaint())),
                arguments("group has none of the configured hooks: record the stage, remove the taint",
                        F.at("Pending:Wait", 5).driving(), WarmNodeState.LEAVING,
                        List.of(new MarkHooksCompleted("Pending:Wait", at(5)), new RemoveWarmupTaint())),
                arguments("in service and still tainted: remove the taint",
                        F.at("InService", 5), WarmNodeState.LEAVING, List.of(new RemoveWarmupTaint())),
                arguments("in service, untainted: nothing, serving",
                        F.at("InService", 5).untainted(), WarmNodeState.SERVING, List.of()),
                arguments("pending proceed and still tainted: remove the taint",
                        F.at("Pending:Proceed", 5), WarmNodeState.LEAVING, List.of(new RemoveWarmupTaint())),
                arguments("tainted but in no Auto Scaling group: nothing",
                        F.at(null, 5).cache(), WarmNodeState.UNKNOWN, List.of()),
                arguments("terminating: nothing",
                        F.at("Terminating:Wait", 5).cache(), WarmNodeState.UNKNOWN, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void plans(String description, F facts, WarmNodeState state, List<WarmPoolAction> actions) {
        WarmNodePlan plan = WarmNodePlan.of(facts.facts(), SETTINGS);
        assertThat(plan.state()).isEqualTo(state);
        assertThat(plan.actions()).containsExactlyElementsOf(actions);
    }

    @Test
    void settingsDriveEveryConfiguredNameOnce() {
        assertThat(new WarmPoolSettings(SETTINGS.taint(), "a", Optional.of("b"), Duration.ofSeconds(60), Duration.ZERO).hooks())
                .containsExactly("a", "b");
        assertThat(new WarmPoolSettings(SETTINGS.taint(), "a", Optional.of("a"), Duration.ofSeconds(60), Duration.ZERO).hooks())
                .containsExactly("a");
    }
}
