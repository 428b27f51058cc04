package dev.headstart.controller;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code perSecond} calls per second on average, bursts of up to {@code burst}.
 * {@link #acquire} waits until the calls may be made; interrupted, it returns at once and leaves
 * the interrupt flag set (the pass is being stopped).
 */
public final class CallSpacing {

    private final double perNano;
    private final double burst;
    private final LongSupplier nanoTime;
    private double tokens;
    private long last;

    public CallSpacing(double perSecond, double burst, LongSupplier nanoTime) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("a call rate must be positive");
        }
        this.perNano = perSecond / 1e9;
        this.burst = Math.max(1, burst);
        this.nanoTime = nanoTime;
        this.tokens = this.burst;
        this.last = nanoTime.getAsLong();
    }

    public static CallSpacing perSecond(double perSecond) {
        return new CallSpacing(perSecond, Math.max(1, perSecond), System::nanoTime);
    }

    /** Takes {@code calls} tokens, waiting as long as that needs. */
    public synchronized void acquire(int calls) {
        refill();
        tokens -= calls;
        if (tokens >= 0) {
            return;
        }
        long waitNanos = (long) Math.ceil(-tokens / perNano);
        try {
            Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void refill() {
        long now = nanoTime.getAsLong();
        tokens = Math.min(burst, tokens + (now - last) * perNano);
        last = now;
    }
}
