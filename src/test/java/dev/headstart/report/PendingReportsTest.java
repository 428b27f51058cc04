package dev.headstart.report;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class PendingReportsTest {

    private final AtomicLong now = new AtomicLong(1_000);

    @Test
    void latestVerdictPerResourceWinsAndMovesToTheBack() throws Exception {
        PendingReports<String> queue = new PendingReports<>(10, now::get);
        queue.offer("a", "a1");
        queue.offer("b", "b1");
        queue.offer("a", "a2");
        assertThat(queue.size()).isEqualTo(2);
        assertThat(queue.take(10)).containsExactly("b1", "a2");
    }

    @Test
    void fullQueueDropsTheOldest() throws Exception {
        PendingReports<String> queue = new PendingReports<>(2, now::get);
        assertThat(queue.offer("a", "a1")).isFalse();
        assertThat(queue.offer("b", "b1")).isFalse();
        assertThat(queue.offer("c", "c1")).isTrue();
        assertThat(queue.take(10)).containsExactly("b1", "c1");
    }

    @Test
    void takesInBatches() throws Exception {
        PendingReports<String> queue = new PendingReports<>(10, now::get);
        for (String k : List.of("a", "b", "c")) {
            queue.offer(k, k);
        }
        assertThat(queue.take(2)).containsExactly("a", "b");
        assertThat(queue.take(2)).containsExactly("c");
    }

    @Test
    void retriesWaitOutTheirBackoffAndLoseToNewerVerdicts() throws Exception {
        PendingReports<String> queue = new PendingReports<>(10, now::get);
        assertThat(queue.retry("a", "a-retry", 300_000_000L)).isTrue();
        queue.offer("b", "b1");
        assertThat(queue.take(10)).containsExactly("b1");

        CompletableFuture<List<String>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return queue.take(10);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);
        assertThat(waiting).isNotDone();
        now.addAndGet(300_000_000L);
        assertThat(waiting.get(10, TimeUnit.SECONDS)).containsExactly("a-retry");

        queue.offer("c", "c-new");
        assertThat(queue.retry("c", "c-old", 0)).isTrue();
        assertThat(queue.take(10)).containsExactly("c-new");

        PendingReports<String> full = new PendingReports<>(1, now::get);
        full.offer("x", "x1");
        assertThat(full.retry("y", "y-retry", 0)).isFalse();
    }

    @Test
    void bulkProducersWaitUntilTheQueueIsBelowTheirLimit() throws Exception {
        PendingReports<String> queue = new PendingReports<>(4, now::get);
        queue.offer("a", "a1");
        queue.offer("b", "b1");
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
            try {
                queue.awaitBelow(2);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertThat(waiting).isNotDone();
        assertThat(queue.take(1)).containsExactly("a1");
        waiting.get(5, TimeUnit.SECONDS);
        assertThat(queue.size()).isEqualTo(1);
    }
}
