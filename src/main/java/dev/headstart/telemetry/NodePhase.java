package dev.headstart.telemetry;

/** The phases of a node's start, each from its {@code creationTimestamp} to a recorded time. */
public enum NodePhase {
    /** The {@code Ready} condition's {@code lastTransitionTime}. */
    READY("ready"),
    /** When Headstart's image-cache pod on the node had every image. */
    IMAGE_CACHE("imageCache"),
    /** When Headstart removed the warm-up taint. */
    WARM_UP("warmUp");

    private final String label;

    NodePhase(String label) {
        this.label = label;
    }

    /** The name in JSON, tables and the {@code phase} metric label. */
    public String label() {
        return label;
    }
}
