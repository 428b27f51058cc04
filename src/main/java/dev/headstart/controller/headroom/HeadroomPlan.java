package dev.headstart.controller.headroom;

import java.util.List;

/**
 * How many headroom pods a cluster of a given size gets, with the cluster-proportional-autoscaler
 * semantics. Pure: a formula over {@link ClusterSize} and {@link HeadroomParams}.
 *
 * <p><b>linear</b>: each term is {@code ceil(count / perReplica)} clamped to {@code [min, max]}
 * ({@code max 0} = unbounded; {@code min} 0 or omitted means 1); a term whose per-replica value is
 * 0 or omitted yields 1 (CPA ignores it). With {@code preventSinglePointFailure} and 2+ nodes the
 * node term is raised to at least 2. The result is the larger of the two terms.
 *
 * <p><b>ladder</b>: in each table, the replicas of the last step whose threshold is &lt;= the count;
 * a count below the first threshold takes the first step. An omitted table yields 0 (so
 * {@code nodesToReplicas [[0,0],[6,1]]} alone scales to zero below six nodes). The result is the
 * larger of the two tables.
 *
 * @param fromCores the cores term (linear) or cores table (ladder)
 * @param fromNodes the nodes term or nodes table
 */
public record HeadroomPlan(String mode, int nodes, long cores, int fromCores, int fromNodes, int replicas) {

    public static HeadroomPlan of(ClusterSize size, HeadroomParams params) {
        return of(size, params, 1000);
    }

    /** @param shapeMilliCpu the CPU request of one pause pod, for {@code percentage} */
    public static HeadroomPlan of(ClusterSize size, HeadroomParams params, long shapeMilliCpu) {
        if (params instanceof HeadroomParams.Percentage percentage) {
            long unit = Math.max(1, shapeMilliCpu);
            double wanted = Math.ceil(size.milliCores() * percentage.cpu() / 100.0 / unit - 1e-9);
            if (percentage.max() != 0) {
                wanted = Math.min(wanted, percentage.max());
            }
            int replicas = (int) Math.max(percentage.min(), Math.min(wanted, Integer.MAX_VALUE));
            return new HeadroomPlan("percentage", size.nodes(), size.cores(), replicas, 0, replicas);
        }
        if (params instanceof HeadroomParams.Linear linear) {
            int fromCores = linearTerm(size.cores(), linear.coresPerReplica(), linear);
            int fromNodes = linearTerm(size.nodes(), linear.nodesPerReplica(), linear);
            if (linear.preventSinglePointFailure() && size.nodes() > 1 && fromNodes < 2) {
                fromNodes = 2;
            }
            return new HeadroomPlan("linear", size.nodes(), size.cores(), fromCores, fromNodes,
                    Math.max(fromCores, fromNodes));
        }
        HeadroomParams.Ladder ladder = (HeadroomParams.Ladder) params;
        int fromCores = step(size.cores(), ladder.coresToReplicas());
        int fromNodes = step(size.nodes(), ladder.nodesToReplicas());
        return new HeadroomPlan("ladder", size.nodes(), size.cores(), fromCores, fromNodes,
                Math.max(fromCores, fromNodes));
    }

    /** The replica count alone. */
    public static int replicas(ClusterSize size, HeadroomParams params) {
        return of(size, params).replicas();
    }

    private static int linearTerm(long count, double perReplica, HeadroomParams.Linear linear) {
        if (perReplica == 0) {
            return linear.min() == 0 ? 0 : 1; // CPA: an absent term yields 1; a pool's min 0 lets it yield 0
        }
        double replicas = Math.ceil(count / perReplica);
        if (linear.max() != 0) {
            replicas = Math.min(linear.max(), replicas);
        }
        return (int) Math.max(linear.min(), Math.min(replicas, Integer.MAX_VALUE));
    }

    private static int step(long count, List<HeadroomParams.Step> steps) {
        if (steps.isEmpty()) {
            return 0;
        }
        int replicas = steps.get(0).replicas();
        for (HeadroomParams.Step step : steps) {
            if (step.threshold() > count) {
                break;
            }
            replicas = step.replicas();
        }
        return replicas;
    }

    /** A few lines a person can check by hand. */
    public String describe() {
        return "mode:       " + mode + "\n"
                + "nodes:      " + nodes + "\n"
                + "cores:      " + cores + "\n"
                + "from cores: " + fromCores + "\n"
                + "from nodes: " + fromNodes + "\n"
                + "replicas:   " + replicas;
    }
}
