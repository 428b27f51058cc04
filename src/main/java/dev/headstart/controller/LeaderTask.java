package dev.headstart.controller;

/**
 * Work that runs only on the replica holding the controller lease. The leader election starts
 * every CDI bean of this type when the lease is acquired and stops them all when it is lost.
 */
public interface LeaderTask {

    /** A short stable name for logs and metrics. */
    String name();

    /** Leadership acquired: start watches and timers. Must return promptly. */
    void start();

    /** Leadership lost or shutting down: stop all work at once. Must be safe to call twice. */
    void stop();
}
