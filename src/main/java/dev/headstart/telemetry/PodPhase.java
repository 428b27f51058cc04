package dev.headstart.telemetry;

/** The phases of a pod's start, each between two times the pod itself records. */
public enum PodPhase {
    /** {@code PodScheduled} − {@code creationTimestamp}. */
    SCHEDULING("scheduling"),
    /** {@code Initialized} − {@code PodScheduled}. */
    INITIALIZATION("initialization"),
    /** {@code Ready} − {@code Initialized}. */
    STARTUP("startup"),
    /** {@code Ready} − {@code creationTimestamp}. */
    TOTAL("total");

    private final String label;

    PodPhase(String label) {
        this.label = label;
    }

    /** The name in JSON, tables and the {@code phase} metric label. */
    public String label() {
        return label;
    }
}
