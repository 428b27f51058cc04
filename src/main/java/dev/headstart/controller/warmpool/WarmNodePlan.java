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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The warm-pool state machine as a pure function: node facts and the Auto Scaling lifecycle state
 * in, the steps to take out. Every step is safe to repeat; the hooks of a stage are completed once
 * per transition (the node records the stage it completed), so the plan can be recomputed on every
 * pass from what the Node and AWS say now.
 *
 * <p>Auto Scaling runs every {@code EC2_INSTANCE_LAUNCHING} hook at each stage of a launch: at
 * {@code Warmed:Pending:Wait} when an instance is launched into the warm pool, and at
 * {@code Pending:Wait} when it enters service, or only at {@code Pending:Wait} for a cold launch
 * (EC2 Auto Scaling user guide, "Warm pool instance lifecycle"). So every hook Headstart drives is
 * completed at both stages.
 */
public record WarmNodePlan(WarmNodeState state, List<WarmPoolAction> actions) {

    public static final String WARMED_PENDING_WAIT = "Warmed:Pending:Wait";
    public static final String PENDING_WAIT = "Pending:Wait";
    static final String WARMED_STOPPED = "Warmed:Stopped";
    static final String WARMED_HIBERNATED = "Warmed:Hibernated";
    static final Set<String> ENTERING_SERVICE = Set.of("Pending:Proceed", "InService");
    /**
     * A Pending:Wait completion is not repeated within this time. Completed, an instance leaves
     * Pending:Wait within seconds; seen there again later, it is a new launch out of the pool (an
     * instance reused on scale-in that went back and out again before a pass saw it in the pool).
     */
    static final Duration SAME_TRANSITION = Duration.ofMinutes(2);

    public static WarmNodePlan of(WarmNodeFacts facts, WarmPoolSettings settings) {
        if (facts.instance().isEmpty()) {
            return new WarmNodePlan(facts.shutdownTainted() ? WarmNodeState.STOPPED : WarmNodeState.UNKNOWN, List.of());
        }
        InstanceLifecycle instance = facts.instance().get();
        String state = instance.lifecycleState() == null ? "" : instance.lifecycleState();
        List<WarmPoolAction> actions = new ArrayList<>();

        if (facts.shutdownTainted()) {
            if (state.equals(WARMED_STOPPED)) {
                // Stopped: the next boot starts a fresh kubelet, which registers a new Node with its
                // registration taints. Only this Node (by UID): a re-registered one is never removed.
                actions.add(new DeleteNode(state, facts.uid()));
            } else if (state.equals(WARMED_HIBERNATED) && !facts.warmupTainted()) {
                // Hibernated: the same kubelet resumes and never registers again
                // (registrationCompleted), so the Node stays; it must carry the taint until it serves.
                actions.add(new AddWarmupTaint(state));
            }
            // A stopping InService instance is not ours.
            return new WarmNodePlan(WarmNodeState.STOPPED, actions);
        }

        if (state.equals(WARMED_PENDING_WAIT) && facts.managedNodeGroup()) {
            // EKS joins a managed node group's instance only after it leaves the pool, so a Node in
            // Warmed:Pending:Wait is one returning on scale-in (reuseOnScaleIn), held by a terminating
            // hook (EKS drains it there). No cache to wait for, no hook of Headstart's; keep pods off.
            return new WarmNodePlan(WarmNodeState.WARM, taintIfServing(facts, state));
        }

        if (state.equals(WARMED_PENDING_WAIT)) {
            if (!facts.warmupTainted()) {
                // Registered untainted (user data that adds no taint) or back from service on scale-in:
                // no pod may land on an instance in the pool. Its hooks are looked at once it is tainted.
                return new WarmNodePlan(WarmNodeState.WARMING, List.of(new AddWarmupTaint(state)));
            }
            if (facts.hooksCompleted().isPresent()) {
                // This stage's hooks are done (WARMED_PENDING_WAIT), or the node already went through
                // Pending:Wait, so it is returning on scale-in, where launching hooks do not run.
                return new WarmNodePlan(WarmNodeState.WARMING, List.of());
            }
            if (facts.cacheComplete()) {
                if (facts.cacheCompletedAt().isEmpty()) {
                    actions.add(new MarkCacheComplete(facts.now()));
                }
                complete(facts, instance, Why.CACHE_COMPLETE, state, actions);
            } else if (!facts.now().isBefore(facts.registeredAt().plus(settings.cacheBudget()))) {
                complete(facts, instance, Why.BUDGET_EXCEEDED, state, actions);
            } else if (!facts.hooks().isEmpty() && !facts.now().isBefore(
                    facts.lastHeartbeatAt().orElse(facts.registeredAt()).plus(settings.heartbeatInterval()))) {
                facts.hooks().forEach(hook ->
                        actions.add(new RecordHeartbeat(instance.groupName(), hook.name(), instance.instanceId())));
                actions.add(new MarkHeartbeat(facts.now()));
            }
            return new WarmNodePlan(WarmNodeState.WARMING, actions);
        }

        if (state.startsWith("Warmed:")) {
            // Warmed:Running (reused on scale-in into a Running pool), Warmed:Pending:Proceed, ...
            return new WarmNodePlan(WarmNodeState.WARM, taintIfServing(facts, state));
        }

        if (state.equals(PENDING_WAIT)) {
            if (!facts.ready()) {
                // The kubelet has not reported Ready yet (booting, or resuming from hibernation): the
                // hook holds the instance out of service meanwhile, as it should.
                return new WarmNodePlan(WarmNodeState.LEAVING, List.of());
            }
            // The hook first: once the taint is gone an old node may no longer be looked at.
            boolean done = facts.hooksCompleted()
                    .filter(mark -> mark.stage().equals(PENDING_WAIT))
                    .filter(mark -> facts.now().isBefore(mark.at().plus(SAME_TRANSITION)))
                    .isPresent();
            if (!done && (!facts.managedNodeGroup() || !facts.hooks().isEmpty())) {
                // On an EKS managed node group only a hook named as Headstart's that someone added
                // (EKS owns the group and its own hooks): without Headstart it would wait out its timeout.
                complete(facts, instance, Why.ENTERING_SERVICE, state, actions);
            }
            if (facts.warmupTainted()) {
                actions.add(new RemoveWarmupTaint());
            }
            return new WarmNodePlan(WarmNodeState.LEAVING, actions);
        }

        if (ENTERING_SERVICE.contains(state)) {
            if (facts.warmupTainted()) {
                actions.add(new RemoveWarmupTaint());
            }
            return new WarmNodePlan(facts.warmupTainted() ? WarmNodeState.LEAVING : WarmNodeState.SERVING, actions);
        }
        return new WarmNodePlan(WarmNodeState.UNKNOWN, List.of());
    }

    /** Complete every hook Headstart drives, then record the stage (also when there is none to complete). */
    private static void complete(WarmNodeFacts facts, InstanceLifecycle instance, Why why, String stage,
                                 List<WarmPoolAction> actions) {
        for (LifecycleHook hook : facts.hooks()) {
            actions.add(new CompleteLifecycleAction(instance.groupName(), hook, instance.instanceId(), why));
        }
        actions.add(new MarkHooksCompleted(stage, facts.now()));
    }

    private static List<WarmPoolAction> taintIfServing(WarmNodeFacts facts, String state) {
        return facts.warmupTainted() ? List.of() : List.of(new AddWarmupTaint(state));
    }
}
