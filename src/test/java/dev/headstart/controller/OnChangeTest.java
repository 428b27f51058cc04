package dev.headstart.controller;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class OnChangeTest {

    @Test
    void whenRunsOnAddsAndDeletesAndOnlyOnRelevantUpdates() {
        AtomicInteger runs = new AtomicInteger();
        ResourceEventHandler<String> handler = OnChange.when((before, after) -> !before.equals(after), runs::incrementAndGet);

        handler.onAdd("a");
        handler.onUpdate("a", "a"); // a heartbeat: nothing the reconciler reads changed
        assertThat(runs).hasValue(1);
        handler.onUpdate("a", "b");
        handler.onDelete("b", false);
        assertThat(runs).hasValue(3);
    }
}
