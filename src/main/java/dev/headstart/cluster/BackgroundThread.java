package dev.headstart.cluster;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A scheduler of one named daemon thread: background work that never keeps the JVM from exiting
 * and that thread dumps name. Here, at the bottom of the layers, so the cluster probes and the
 * controller's workers ({@code controller.DaemonScheduler}) share it without the cluster package
 * reaching up into the controller's.
 */
public final class BackgroundThread {

    private BackgroundThread() {
    }

    public static ScheduledExecutorService scheduler(String threadName) {
        return Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }
}
