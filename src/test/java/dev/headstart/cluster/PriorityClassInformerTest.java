package dev.headstart.cluster;

import dev.headstart.config.ConfigLoader;
import dev.headstart.rules.PriorityClassRule;
import dev.headstart.rules.Warnings;
import dev.headstart.rules.Workload;
import dev.headstart.testing.Reviews;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Only a synced cache may say that a class does not exist; with no cluster there is nothing to wait for. */
class PriorityClassInformerTest {

    @Test
    void unsyncedInformerIsNotReadyAndTheRuleDoesNotCallTheClassMissing() {
        PriorityClassInformer informer = new PriorityClassInformer(new ClusterAccess(true, "test"), null, ConfigLoader.load());
        assertThat(informer.ready()).isFalse();
        Warnings warnings = new Warnings();
        Workload pod = Workload.of(Reviews.object("objects/pod-needs-all.json")).orElseThrow();
        assertThat(new PriorityClassRule("headstart-high", informer).mutate(pod, warnings)).isFalse();
        assertThat(warnings.messages()).containsExactly(
                "headstart: priority-class: PriorityClass cache has not synced yet; headstart-high not injected");
    }

    @Test
    void withoutAClusterThereIsNothingToWaitFor() {
        PriorityClassInformer informer = new PriorityClassInformer(new ClusterAccess(false, "test"), null, ConfigLoader.load());
        assertThat(informer.ready()).isTrue();
        assertThat(informer.globalDefault()).isEmpty();
    }
}
