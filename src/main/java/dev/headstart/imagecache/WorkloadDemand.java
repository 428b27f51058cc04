package dev.headstart.imagecache;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/**
 * How many pods a workload is likely to start, for ranking groups on a full node: running replicas
 * first, then workloads at zero that an autoscaler (an HPA, a KEDA ScaledObject) can scale up (a cold
 * start from zero is where a warm cache pays most), then idle ones; suspended ones last.
 *
 * <p>{@code replicas} counts for {@link Tier#RUNNING} only: a Deployment's, StatefulSet's or
 * ReplicaSet's {@code spec.replicas} (1 when unset, as the API server defaults it), 1 for a
 * DaemonSet (its one pod on each node it runs on, which is what competes for a slot there), a Job's {@code parallelism} (1 when unset), and 1 for a CronJob that
 * is not suspended (it starts pods on its schedule).
 */
public record WorkloadDemand(Tier tier, int replicas) {

    public enum Tier { RUNNING, SCALES_FROM_ZERO, IDLE, SUSPENDED }

    /** What a template without a workload object behind it is taken for. */
    public static final WorkloadDemand ONE_RUNNING = new WorkloadDemand(Tier.RUNNING, 1);

    public WorkloadDemand {
        tier = tier == null ? Tier.RUNNING : tier;
        replicas = tier == Tier.RUNNING ? Math.max(replicas, 1) : 0;
    }

    /** The demand of a workload object, {@code autoscaled} when an HPA or ScaledObject targets it. */
    public static WorkloadDemand of(HasMetadata workload, boolean autoscaled) {
        Integer replicas = null;
        if (workload instanceof Deployment d && d.getSpec() != null) {
            replicas = orOne(d.getSpec().getReplicas());
        } else if (workload instanceof StatefulSet s && s.getSpec() != null) {
            replicas = orOne(s.getSpec().getReplicas());
        } else if (workload instanceof ReplicaSet r && r.getSpec() != null) {
            replicas = orOne(r.getSpec().getReplicas());
        } else if (workload instanceof DaemonSet) {
            return ONE_RUNNING; // one pod on each node it runs on: what counts on that node
        } else if (workload instanceof Job j && j.getSpec() != null) {
            if (Boolean.TRUE.equals(j.getSpec().getSuspend())) {
                return new WorkloadDemand(Tier.SUSPENDED, 0);
            }
            replicas = orOne(j.getSpec().getParallelism());
        } else if (workload instanceof CronJob c && c.getSpec() != null) {
            return Boolean.TRUE.equals(c.getSpec().getSuspend()) ? new WorkloadDemand(Tier.SUSPENDED, 0) : ONE_RUNNING;
        }
        if (replicas == null) {
            return ONE_RUNNING;
        }
        if (replicas > 0) {
            return new WorkloadDemand(Tier.RUNNING, replicas);
        }
        return new WorkloadDemand(autoscaled ? Tier.SCALES_FROM_ZERO : Tier.IDLE, 0);
    }

    private static int orOne(Integer replicas) {
        return replicas == null ? 1 : replicas;
    }

    public String describe() {
        return switch (tier) {
            case RUNNING -> replicas + (replicas == 1 ? " pod" : " pods");
            case SCALES_FROM_ZERO -> "0 pods, autoscaled from zero";
            case IDLE -> "0 pods, idle";
            case SUSPENDED -> "suspended";
        };
    }
}
