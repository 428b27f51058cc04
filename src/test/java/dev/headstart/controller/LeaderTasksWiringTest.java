package dev.headstart.controller;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The reconcilers are CDI LeaderTasks the election can find, and inert in the webhook role. */
@QuarkusTest
class LeaderTasksWiringTest {

    @Inject
    @Any
    Instance<LeaderTask> tasks;

    @Test
    void warmPoolAndImageCacheAreLeaderTasksThatStayInertOutsideTheController() {
        List<String> names = tasks.stream().map(LeaderTask::name).toList();
        assertThat(names).contains("image-cache", "warm-pool", "startup-telemetry");
        tasks.forEach(task -> {
            task.start();
            task.stop();
            task.stop();
        });
    }
}
