package dev.headstart.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Retries a check until it holds or the time is up: informers, watches and timers are asynchronous. */
public final class Eventually {

    public interface Check {
        void run() throws Exception;
    }

    private Eventually() {
    }

    /** Retries an assertion; the last failure is what the test reports. */
    public static void eventually(Duration timeout, Check check) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError | Exception e) {
                if (System.nanoTime() > deadline) {
                    if (e instanceof AssertionError a) {
                        throw a;
                    }
                    throw new AssertionError(e);
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }

    /** Polls a condition; exceptions while polling count as "not yet". */
    public static void await(Duration timeout, String what, BooleanSupplier condition) {
        eventually(timeout, () -> {
            if (!condition.getAsBoolean()) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
        });
    }
}
