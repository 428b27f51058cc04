package dev.headstart.controller;

import dev.headstart.cluster.BackgroundThread;

import java.util.concurrent.ScheduledExecutorService;

/**
 * The controller's background workers: one named daemon thread each, so a stuck reconcile never
 * keeps the JVM from exiting and thread dumps say whose work it is.
 */
public final class DaemonScheduler {

    private DaemonScheduler() {
    }

    public static ScheduledExecutorService named(String threadName) {
        return BackgroundThread.scheduler(threadName);
    }
}
