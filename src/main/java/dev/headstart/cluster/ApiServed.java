package dev.headstart.cluster;

/**
 * What discovery last said of an optional API (pods/resize, capacitybuffers): served, not served, or
 * not known yet (no answer so far, which every user treats as "do not rely on it"). The gauge value
 * is what the metric of each discovery reports.
 */
public enum ApiServed {
    SERVED(1), NOT_SERVED(0), UNKNOWN(-1);

    private final int gauge;

    ApiServed(int gauge) {
        this.gauge = gauge;
    }

    public int gauge() {
        return gauge;
    }
}
