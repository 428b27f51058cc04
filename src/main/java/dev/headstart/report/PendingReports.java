package dev.headstart.report;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The writer's queue: bounded, one entry per key (a newer entry replaces a waiting one and moves to
 * the back: latest wins), the oldest entry dropped when full, and entries that may not be taken
 * before a given time (retries waiting out their backoff). Thread-safe; {@link #take} blocks.
 */
final class PendingReports<T> {

    private record Entry<T>(T item, long notBeforeNanos) {
    }

    private final int capacity;
    private final LongSupplier nanoTime;
    /** Insertion order is age order. Guarded by this. */
    private final LinkedHashMap<String, Entry<T>> entries = new LinkedHashMap<>();

    PendingReports(int capacity, LongSupplier nanoTime) {
        this.capacity = Math.max(1, capacity);
        this.nanoTime = nanoTime;
    }

    /**
     * Queues the item under its key, replacing a waiting one.
     *
     * @return true when the oldest entry had to be dropped to make room
     */
    synchronized boolean offer(String key, T item) {
        return offer(key, item, 0);
    }

    /** As {@link #offer(String, Object)}, not to be taken before {@code delayNanos} from now. */
    synchronized boolean offer(String key, T item, long delayNanos) {
        entries.remove(key);
        boolean dropped = false;
        if (entries.size() >= capacity) {
            Iterator<Map.Entry<String, Entry<T>>> oldest = entries.entrySet().iterator();
            oldest.next();
            oldest.remove();
            dropped = true;
        }
        entries.put(key, new Entry<>(item, delayNanos <= 0 ? Long.MIN_VALUE : nanoTime.getAsLong() + delayNanos));
        notifyAll();
        return dropped;
    }

    /**
     * Queues a retry due after {@code delayNanos}, unless a newer item for the key is already
     * waiting (it wins) or the queue is full (the retry is the one dropped).
     *
     * @return false when the retry was not queued because the queue is full
     */
    synchronized boolean retry(String key, T item, long delayNanos) {
        if (entries.containsKey(key)) {
            return true;
        }
        if (entries.size() >= capacity) {
            return false;
        }
        entries.put(key, new Entry<>(item, nanoTime.getAsLong() + delayNanos));
        notifyAll();
        return true;
    }

    /** Waits until an entry is due, then removes and returns up to {@code max} due entries, oldest first. */
    synchronized List<T> take(int max) throws InterruptedException {
        while (true) {
            long now = nanoTime.getAsLong();
            List<T> due = new ArrayList<>();
            long wait = Long.MAX_VALUE;
            Iterator<Entry<T>> it = entries.values().iterator();
            while (it.hasNext() && due.size() < max) {
                Entry<T> entry = it.next();
                long remaining = entry.notBeforeNanos() == Long.MIN_VALUE ? 0 : entry.notBeforeNanos() - now;
                if (remaining <= 0) {
                    due.add(entry.item());
                    it.remove();
                } else {
                    wait = Math.min(wait, remaining);
                }
            }
            if (!due.isEmpty()) {
                notifyAll(); // room for producers waiting in awaitBelow
                return due;
            }
            if (wait == Long.MAX_VALUE) {
                wait();
            } else {
                wait(Math.max(1, wait / 1_000_000));
            }
        }
    }

    /** Waits until fewer than {@code limit} entries are queued. */
    synchronized void awaitBelow(int limit) throws InterruptedException {
        while (entries.size() >= Math.max(1, limit)) {
            wait();
        }
    }

    int capacity() {
        return capacity;
    }

    synchronized int size() {
        return entries.size();
    }
}
