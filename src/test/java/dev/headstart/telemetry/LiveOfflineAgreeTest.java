package dev.headstart.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.json.Json;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static dev.headstart.telemetry.Objects.node;
import static dev.headstart.telemetry.Objects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * One definition set for the live metrics and the offline report: the same pods, nodes and events
 * fed to {@link StartupTelemetry} (as the informers deliver them) and to {@link StartupReport} (as
 * a dump is read) give the same counts and the same maxima, phase by phase and group by group —
 * also for the pods and nodes the definitions leave out (Ready past the horizon, a phase longer than
 * total, a restart, nulls in lists).
 */
class LiveOfflineAgreeTest {

    @Test
    void theLivePathAndTheOfflinePathCountTheSame() throws Exception {
        KubernetesSerialization kubernetes = new KubernetesSerialization();
        List<Pod> pods = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        JsonNode dump = Json.MAPPER.readTree(Path.of("src/test/resources/startup/cluster-dump.json").toFile());
        for (JsonNode item : dump.get("items")) {
            switch (item.get("kind").asText()) {
                case "Pod" -> pods.add(kubernetes.convertValue(item, Pod.class));
                case "Node" -> nodes.add(kubernetes.convertValue(item, Node.class));
                case "Event" -> events.add(kubernetes.convertValue(item, Event.class));
                default -> throw new AssertionError(item);
            }
        }
        // the odd ones: Ready two hours late (a flap), Initialized before creation (kube-proxy's
        // skewed clock: startup 7 s > total 6 s), a restart, a node whose Ready flapped 129 h later
        pods.add(pod("late", true, 0, "PodScheduled=True@12:00:01", "Initialized=True@12:00:02", "Ready=True@14:00:00"));
        pods.add(pod("skewed", false, 0, "PodScheduled=True@12:00:00", "Initialized=True@11:59:59", "Ready=True@12:00:06"));
        // boosted pods: one that started, one restarted (no startup phase in either path)
        pods.add(Objects.boosted(pod("boosted", true, 0, "PodScheduled=True@12:00:01", "Initialized=True@12:00:02",
                "Ready=True@12:00:07")));
        pods.add(Objects.boosted(pod("boosted-restarted", true, 1, "PodScheduled=True@12:00:01",
                "Initialized=True@12:00:02", "Ready=True@12:00:30")));
        pods.add(pod("restarted", false, 2, "PodScheduled=True@12:00:01", "Initialized=True@12:00:03", "Ready=True@12:00:40"));
        Pod withNulls = pod("nulls", true, 0, "PodScheduled=True@12:00:01", "Initialized=True@12:00:02", "Ready=True@12:00:09");
        withNulls.getStatus().getConditions().add(0, null);
        withNulls.getStatus().getContainerStatuses().add(null);
        pods.add(withNulls);
        nodes.add(node("flapped", "12:00:00", "2026-11-26T21:00:00Z", "headstart.dev/image-cache-complete=12:01:10"));

        StartupReport offline = StartupReport.of(pods, nodes, events);

        MeterRegistry registry = new SimpleMeterRegistry();
        Map<String, Pod> byKey = new HashMap<>();
        pods.forEach(p -> byKey.put(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName(), p));
        StartupTelemetry live = new StartupTelemetry(registry, (ns, name) -> Optional.ofNullable(byKey.get(ns + "/" + name)),
                Clock.fixed(Instant.parse("2026-11-21T12:30:00Z"), ZoneOffset.UTC), StartupTelemetry.DEFAULT_HORIZON);
        live.begin(Instant.parse("2026-11-21T11:00:00Z"));
        pods.forEach(live::onPod);
        nodes.forEach(live::onNode);
        events.forEach(live::onEventAdded);

        int compared = 0;
        for (String group : List.of("on", "off")) {
            StartupReport.PodGroup pods2 = group.equals("on") ? offline.on() : offline.off();
            for (PodPhase phase : PodPhase.values()) {
                Timer timer = registry.get("headstart.pod.startup").tags("phase", phase.label(), "headstart", group).timer();
                Summary summary = pods2.phases().get(phase);
                assertThat(timer.count()).as(group + " " + phase).isEqualTo(summary.count());
                if (summary.count() > 0) {
                    assertThat(timer.max(TimeUnit.MILLISECONDS) / 1000.0).as(group + " " + phase + " max")
                            .isCloseTo(summary.max().getAsDouble(), within(0.001));
                    compared++;
                }
            }
            double pulls = registry.get("headstart.image.pulls").tags("headstart", group).counters().stream()
                    .mapToDouble(Counter::count).sum();
            double cached = registry.get("headstart.image.pulls").tags("headstart", group, "cached", "true").counter().count();
            assertThat((int) pulls).as(group + " pulls").isEqualTo(pods2.pulls());
            assertThat((int) cached).as(group + " cached").isEqualTo(pods2.cached());
        }
        for (boolean boosted : List.of(true, false)) {
            Timer timer = registry.get("headstart.cpu.boost.startup").tags("boosted", Boolean.toString(boosted)).timer();
            Summary summary = boosted ? offline.cpuBoost().boosted() : offline.cpuBoost().notBoosted();
            assertThat(timer.count()).as("boosted=" + boosted).isEqualTo(summary.count()).isPositive();
            assertThat(timer.max(TimeUnit.MILLISECONDS) / 1000.0).as("boosted=" + boosted + " max")
                    .isCloseTo(summary.max().getAsDouble(), within(0.001));
            compared++;
        }
        // boosted or not, every startup the phase histogram has is in the split once
        assertThat(offline.cpuBoost().boosted().count() + offline.cpuBoost().notBoosted().count())
                .isEqualTo(offline.on().phases().get(PodPhase.STARTUP).count() + offline.off().phases().get(PodPhase.STARTUP).count());
        for (String warm : List.of("true", "false")) {
            StartupReport.NodeGroup group = warm.equals("true") ? offline.warmPool() : offline.cold();
            for (NodePhase phase : NodePhase.values()) {
                Timer timer = registry.get("headstart.node.startup").tags("phase", phase.label(), "warm_pool", warm).timer();
                assertThat(timer.count()).as("nodes warm=" + warm + " " + phase).isEqualTo(group.phases().get(phase).count());
                if (timer.count() > 0) {
                    assertThat(timer.max(TimeUnit.MILLISECONDS) / 1000.0)
                            .isCloseTo(group.phases().get(phase).max().getAsDouble(), within(0.001));
                    compared++;
                }
            }
        }
        assertThat(compared).isGreaterThan(10);
        // what the odd ones did, in both: the late pod is no start, the skewed one lost startup and total
        assertThat(offline.counts().lateReadyPods()).isEqualTo(1);
        assertThat(offline.counts().inconsistentPods()).isEqualTo(1);
        assertThat(offline.counts().lateReadyNodes()).isEqualTo(1);
        assertThat(offline.on().pods()).extracting(PodStartup::key).doesNotContain("shop/late").contains("shop/nulls");
        PodStartup skewed = offline.off().pods().stream().filter(p -> p.key().equals("shop/skewed")).findFirst().orElseThrow();
        assertThat(skewed.phases()).containsOnlyKeys(PodPhase.SCHEDULING);
        NodeStartup flapped = offline.cold().nodes().stream().filter(n -> n.name().equals("flapped")).findFirst().orElseThrow();
        assertThat(flapped.phases()).containsOnlyKeys(NodePhase.IMAGE_CACHE);
    }
}
