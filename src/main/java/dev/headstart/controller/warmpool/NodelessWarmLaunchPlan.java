package dev.headstart.controller.warmpool;

import dev.headstart.controller.warmpool.AutoScalingGateway.InstanceLifecycle;
import dev.headstart.controller.warmpool.AutoScalingGateway.LifecycleHook;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Which launching hooks to complete for instances of an EKS managed node group's warm pool that
 * are paused at {@code Warmed:Pending:Wait} and have no Node. Such an instance boots in the pool
 * and stops or hibernates without joining the cluster ("No Node while in the pool",
 * docs/warm-pools.md, from the EKS user guide), so no Node will come to say it is ready: waiting
 * only costs the hook's heartbeat timeout. An instance that has a Node (one returning to the pool
 * on scale-in) is left to the per-node path. Pure: the reconciler gathers the facts and calls
 * Auto Scaling.
 */
final class NodelessWarmLaunchPlan {

    /** One CompleteLifecycleAction with CONTINUE. */
    record Completion(String groupName, String instanceId, LifecycleHook hook) {
    }

    private NodelessWarmLaunchPlan() {
    }

    /**
     * The instances of {@code pool} a look has to consider: at {@code Warmed:Pending:Wait} and not
     * completed at this transition yet. Only for these does the reconciler look for a Node.
     */
    static Set<String> candidates(Collection<InstanceLifecycle> pool, List<LifecycleHook> drivenHooks,
                                  Set<String> completedAtThisStage) {
        if (drivenHooks.isEmpty()) {
            return Set.of();
        }
        return pool.stream()
                .filter(i -> WarmNodePlan.WARMED_PENDING_WAIT.equals(i.lifecycleState()))
                .map(InstanceLifecycle::instanceId)
                .filter(id -> !completedAtThisStage.contains(id))
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }

    /**
     * Every driven hook of every candidate that has no Node, in instance order.
     *
     * @param drivenHooks          the group's launching hooks Headstart is configured to drive
     * @param instancesWithNode    the candidates' instance ids found in a Node's providerID
     * @param completedAtThisStage instances already completed at this {@code Warmed:Pending:Wait}
     */
    static List<Completion> of(String groupName, Collection<InstanceLifecycle> pool, List<LifecycleHook> drivenHooks,
                               Set<String> instancesWithNode, Set<String> completedAtThisStage) {
        List<Completion> completions = new ArrayList<>();
        for (String id : candidates(pool, drivenHooks, completedAtThisStage)) {
            if (!instancesWithNode.contains(id)) {
                drivenHooks.forEach(hook -> completions.add(new Completion(groupName, id, hook)));
            }
        }
        return completions;
    }
}
