package dev.headstart.controller;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The controller's background workers: one named daemon thread each, so a stuck reconcile never
 * keeps the JVM from exiting and thread dumps say whose work it is.
 */
public final class DaemonScheduler {

    private DaemonScheduler() {
    }

    public static ScheduledExecutorService named(String threadName) {
        return Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }
}
