package dev.headstart.admission;

/**
 * At most {@code perWindow} log lines per window; the lines left out are counted and reported with
 * the next line let through. What a flood of bad requests can add to the log is thus bounded by
 * time, not by the attacker's rate.
 */
final class LogBudget {

    private final int perWindow;
    private final long windowNanos;
    private boolean started;
    private long windowStart;
    private int used;
    private long suppressed;

    LogBudget(int perWindow, long windowNanos) {
        this.perWindow = perWindow;
        this.windowNanos = windowNanos;
    }

    /**
     * -1 when this line must be dropped, else the number of lines dropped since the last one let
     * through (0 most of the time).
     */
    synchronized long admit(long now) {
        if (!started || now - windowStart >= windowNanos) {
            started = true;
            windowStart = now;
            used = 0;
        }
        if (used >= perWindow) {
            suppressed++;
            return -1;
        }
        used++;
        long dropped = suppressed;
        suppressed = 0;
        return dropped;
    }
}
