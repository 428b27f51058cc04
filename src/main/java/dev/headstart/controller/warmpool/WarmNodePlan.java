package dev.headstart.controller.warmpool;

import dev.headstart.controller.warmpool.AutoScalingGateway.InstanceLifecycle;
import dev.headstart.controller.warmpool.WarmPoolAction.CompleteLifecycleAction;
import dev.headstart.controller.warmpool.WarmPoolAction.DeleteNode;
import dev.headstart.controller.warmpool.WarmPoolAction.MarkCacheComplete;
import dev.headstart.controller.warmpool.WarmPoolAction.MarkHeartbeat;
import dev.headstart.controller.warmpool.WarmPoolAction.RecordHeartbeat;
import dev.headstart.controller.warmpool.WarmPoolAction.RemoveWarmupTaint;
import dev.headstart.controller.warmpool.WarmPoolAction.Why;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The warm-pool state machine as a pure function: node facts and the Auto Scaling lifecycle state
 * in, the steps to take out. Every step is safe to repeat, so the plan can be recomputed on every
 * pass from what the Node and AWS say now.
 */
public record WarmNodePlan(WarmNodeState state, List<WarmPoolAction> actions) {

    public static final String WARMED_PENDING_WAIT = "Warmed:Pending:Wait";
    public static final String PENDING_WAIT = "Pending:Wait";
    /** Warm instances at rest; their Node objects are stale until the instance starts again. */
    static final Set<String> WARMED_AT_REST = Set.of("Warmed:Stopped", "Warmed:Hibernated");
    static final Set<String> ENTERING_SERVICE = Set.of("Pending:Proceed", "InService");

    public static WarmNodePlan of(WarmNodeFacts facts, WarmPoolSettings settings) {
        if (facts.instance().isEmpty()) {
            return new WarmNodePlan(facts.shutdownTainted() ? WarmNodeState.STOPPED : WarmNodeState.UNKNOWN, List.of());
        }
        InstanceLifecycle instance = facts.instance().get();
        String state = instance.lifecycleState() == null ? "" : instance.lifecycleState();
        List<WarmPoolAction> actions = new ArrayList<>();

        if (facts.shutdownTainted()) {
            // Only a stop that AWS confirms as a warm instance at rest; a stopping InService node is not ours.
            if (WARMED_AT_REST.contains(state)) {
                actions.add(new DeleteNode(state));
            }
            return new WarmNodePlan(WarmNodeState.STOPPED, actions);
        }

        if (state.equals(WARMED_PENDING_WAIT) && facts.managedNodeGroup()) {
            // EKS joins a managed node group's instance only after it leaves the pool, so a Node in
            // Warmed:Pending:Wait is one returning on scale-in (reuseOnScaleIn), held by a terminating
            // hook (EKS drains it there). No cache to wait for, no hook of Headstart's: leave it alone.
            return new WarmNodePlan(WarmNodeState.WARM, List.of());
        }

        if (state.equals(WARMED_PENDING_WAIT)) {
            CompleteLifecycleAction complete = new CompleteLifecycleAction(
                    instance.groupName(), settings.hookName(), instance.instanceId(), Why.CACHE_COMPLETE);
            if (facts.cacheComplete()) {
                if (facts.cacheCompletedAt().isEmpty()) {
                    actions.add(new MarkCacheComplete(facts.now()));
                }
                actions.add(complete);
            } else if (!facts.now().isBefore(facts.registeredAt().plus(settings.cacheBudget()))) {
                actions.add(new CompleteLifecycleAction(
                        instance.groupName(), settings.hookName(), instance.instanceId(), Why.BUDGET_EXCEEDED));
            } else if (!facts.now().isBefore(
                    facts.lastHeartbeatAt().orElse(facts.registeredAt()).plus(settings.heartbeatInterval()))) {
                actions.add(new RecordHeartbeat(instance.groupName(), settings.hookName(), instance.instanceId()));
                actions.add(new MarkHeartbeat(facts.now()));
            }
            return new WarmNodePlan(WarmNodeState.WARMING, actions);
        }

        if (state.startsWith("Warmed:")) {
            return new WarmNodePlan(WarmNodeState.WARM, List.of());
        }

        if (state.equals(PENDING_WAIT)) {
            // The hook first: once the taint is gone the node is no longer ours to revisit. None on an
            // EKS managed node group: EKS owns its Auto Scaling group (and its own hooks there).
            settings.launchHookName().filter(hook -> !facts.managedNodeGroup())
                    .ifPresent(hook -> actions.add(new CompleteLifecycleAction(
                            instance.groupName(), hook, instance.instanceId(), Why.LEAVING_POOL)));
            if (facts.warmupTainted()) {
                actions.add(new RemoveWarmupTaint());
            }
            return new WarmNodePlan(WarmNodeState.LEAVING, actions);
        }

        if (ENTERING_SERVICE.contains(state)) {
            if (facts.warmupTainted()) {
                actions.add(new RemoveWarmupTaint());
            }
            return new WarmNodePlan(WarmNodeState.LEAVING, actions);
        }
        return new WarmNodePlan(WarmNodeState.UNKNOWN, List.of());
    }
}
