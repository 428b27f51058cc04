package dev.headstart.controller;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** A leader task that records what the election did to it. */
final class RecordingTask implements LeaderTask {

    final AtomicBoolean running = new AtomicBoolean();
    final AtomicInteger starts = new AtomicInteger();
    final AtomicInteger stops = new AtomicInteger();

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public void start() {
        starts.incrementAndGet();
        running.set(true);
    }

    @Override
    public void stop() {
        stops.incrementAndGet();
        running.set(false);
    }
}
