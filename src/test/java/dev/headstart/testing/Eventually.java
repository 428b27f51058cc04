package dev.headstart.testing;

import java.time.Duration;

/** Retries an assertion until it holds or the time is up (informers and timers are asynchronous). */
public final class Eventually {

    public interface Check {
        void run() throws Exception;
    }

    private Eventually() {
    }

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
}
