package dev.headstart.controller.warmpool;

import dev.headstart.controller.imagecache.ImageCacheView;
import dev.headstart.controller.informers.SharedInformers;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Young untainted nodes (a cold launch waits in Pending:Wait) are looked at a batch at a time and
 * only until they are seen in service; nodes registered before the cold-launch window are left to the
 * sweep. The batch is what bounds a pass's heap at cluster size (every node of a freshly created
 * cluster is young when the controller starts), so it is held here by the requests Auto Scaling sees.
 */
class WarmPoolYoungNodesTest extends WarmPoolMockClusterTest {

    static final int YOUNG = 120;

    static Node node(String name, String instanceId, Instant created) {
        return registeredNode(name, instanceId).editMetadata().withCreationTimestamp(created.toString()).endMetadata().build();
    }

    static String id(int i) {
        return String.format("i-%017x", i);
    }

    /** The window, on the informer's objects (the mock API server stamps its own creation time). */
    @Test
    void onlyNodesRegisteredWithinTheWindowAreYoungAndASettledOneLeaves() {
        Instant now = Instant.parse("2026-12-06T01:00:00Z");
        YoungNodes young = new YoungNodes(() -> now.minus(Duration.ofMinutes(15)));
        young.onAdd(node("old", id(1), now.minus(Duration.ofHours(1))));
        young.onAdd(node("b-young", id(2), now.minusSeconds(60)));
        young.onAdd(node("a-young", id(3), now.minusSeconds(10)));
        young.onAdd(new NodeBuilder().withNewMetadata().withName("no-time").endMetadata().build());
        assertThat(young.unsettled()).containsExactly("a-young", "b-young", "no-time");
        young.settle("a-young");
        young.onDelete(node("b-young", id(2), now), false);
        assertThat(young.unsettled()).containsExactly("no-time");

        YoungNodes later = new YoungNodes(() -> now.plus(Duration.ofMinutes(30)));
        later.onAdd(node("c", id(4), now.plus(Duration.ofMinutes(31))));
        assertThat(later.unsettled()).containsExactly("c");
    }

    @Test
    void youngNodesAreDescribedInBatchesOfFiftyUntilSeenInService() {
        Instant now = Instant.now();
        for (int i = 0; i < YOUNG; i++) {
            stub.instance(id(i), "workers", "InService");
            client.nodes().resource(node("young-" + i, id(i), now.minusSeconds(60))).create();
        }

        // Sweep off: only the young ones are looked at.
        WarmPoolSettings settings = new WarmPoolSettings(WarmupTaint.parse(WARMUP_TAINT), List.of("headstart-warmup"),
                Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ofMinutes(15), Duration.ZERO);
        start(new WarmPoolReconciler(() -> controller, new SharedInformers(() -> controller, 500), 50,
                () -> gateway, settings, Duration.ofMillis(200), Clock.systemUTC(), new WarmPoolMetrics(registry),
                new ImageCacheView(false), true));

        eventually(patience(), () -> assertThat(described()).hasSize(YOUNG));
        passes(3);
        List<Map<String, String>> describes = stub.requests("DescribeAutoScalingInstances");
        assertThat(describes).allSatisfy(r -> assertThat(ids(r)).hasSizeLessThanOrEqualTo(WarmPoolReconciler.BATCH));
        // The handler may still be delivering adds at the first pass: the rest come in the next one.
        assertThat(describes.stream().flatMap(r -> ids(r).stream()).toList())
                .as("each young node described once, then settled").hasSize(YOUNG).doesNotHaveDuplicates();
    }

    Set<String> described() {
        Set<String> all = new TreeSet<>();
        stub.requests("DescribeAutoScalingInstances").forEach(r -> all.addAll(ids(r)));
        return all;
    }

    static List<String> ids(Map<String, String> request) {
        return request.entrySet().stream().filter(e -> e.getKey().startsWith("InstanceIds.member."))
                .map(Map.Entry::getValue).toList();
    }
}
