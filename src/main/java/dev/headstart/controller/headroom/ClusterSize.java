package dev.headstart.controller.headroom;

/**
 * What headroom is sized from: the nodes that count and the sum of their allocatable CPU in
 * millicores. Cores are rounded up to whole cores once, at the end, as CPA sees whole cores.
 */
public record ClusterSize(int nodes, long milliCores) {

    public ClusterSize {
        if (nodes < 0 || milliCores < 0) {
            throw new IllegalArgumentException("nodes and cores must not be negative");
        }
    }

    public static ClusterSize ofCores(int nodes, long cores) {
        return new ClusterSize(nodes, Math.multiplyExact(cores, 1000L));
    }

    /** Whole cores, rounded up. */
    public long cores() {
        return (milliCores + 999) / 1000;
    }

    public ClusterSize plus(ClusterSize other) {
        return new ClusterSize(nodes + other.nodes, milliCores + other.milliCores);
    }
}
