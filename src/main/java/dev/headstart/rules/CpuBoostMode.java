package dev.headstart.rules;

/** How the cpu-boost rule lifts a container's CPU limit at admission. */
public enum CpuBoostMode {
    /** Take the limit away (where no LimitRange default or quota would put it back or refuse it). */
    REMOVE,
    /** Multiply it by {@code headstart.cpu-boost.factor}. */
    MULTIPLY,
    /** Set it to {@code headstart.cpu-boost.value} (only where that is above the container's own). */
    VALUE
}
