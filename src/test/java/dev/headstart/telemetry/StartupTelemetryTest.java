package dev.headstart.telemetry;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.headstart.telemetry.Objects.node;
import static dev.headstart.telemetry.Objects.pod;
import static dev.headstart.telemetry.Objects.pulled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The controller's startup metrics, fed pods, nodes and events as the shared informers deliver them. */
class StartupTelemetryTest {

    /** Pods in {@link Objects} are created at 12:00:00; the leader here starts just before. */
    static final Instant LEADS_FROM = Instant.parse("2026-11-21T11:59:59.400Z");

    final MeterRegistry registry = new SimpleMeterRegistry();
    final Map<String, Pod> store = new HashMap<>();
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-21T12:00:00Z"));
    final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    StartupTelemetry telemetry(MeterRegistry meters) {
        return new StartupTelemetry(meters, (ns, name) -> Optional.ofNullable(store.get(ns + "/" + name)), clock,
                StartupTelemetry.DEFAULT_HORIZON);
    }

    /** The informer's view: keep the pod in the store, then call back. */
    void deliver(StartupTelemetry telemetry, Pod pod) {
        store.put(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName(), pod);
        telemetry.onPod(pod);
    }

    static Timer podPhase(MeterRegistry meters, String phase, String group) {
        return meters.get("headstart.pod.startup").tag("phase", phase).tag("headstart", group).timer();
    }

    /** The seconds recorded, as the histogram's cumulative bucket counts show them. */
    static Map<Double, Long> buckets(Timer timer) {
        Map<Double, Long> counts = new java.util.TreeMap<>();
        for (CountAtBucket bucket : timer.takeSnapshot().histogramCounts()) {
            counts.put(bucket.bucket(TimeUnit.SECONDS), (long) bucket.count());
        }
        return counts;
    }

    @Test
    void aPodIsCountedOnceWhenReadyWithEveryPhaseItHas() {
        StartupTelemetry telemetry = telemetry(registry);
        telemetry.begin(LEADS_FROM);
        deliver(telemetry, pod("web", true, 0));
        deliver(telemetry, pod("web", true, 0, "PodScheduled=True@12:00:02"));
        deliver(telemetry, pod("web", true, 0, "PodScheduled=True@12:00:02", "Initialized=True@12:00:05"));
        assertThat(podPhase(registry, "total", "on").count()).isZero();
        Pod ready = pod("web", true, 0, "PodScheduled=True@12:00:02", "Initialized=True@12:00:05", "Ready=True@12:00:15");
        deliver(telemetry, ready);
        deliver(telemetry, ready); // a resync, a status heartbeat: the same pod again
        // a readiness flap: Ready again later, not a second start
        deliver(telemetry, pod("web", true, 0, "PodScheduled=True@12:00:02", "Initialized=True@12:00:05", "Ready=False@12:03:00"));
        deliver(telemetry, pod("web", true, 0, "PodScheduled=True@12:00:02", "Initialized=True@12:00:05", "Ready=True@12:04:00"));
        Map<String, Double> seconds = Map.of("scheduling", 2.0, "initialization", 3.0, "startup", 10.0, "total", 15.0);
        seconds.forEach((phase, value) -> {
            Timer timer = podPhase(registry, phase, "on");
            assertThat(timer.count()).as(phase).isEqualTo(1);
            assertThat(timer.totalTime(TimeUnit.SECONDS)).as(phase).isCloseTo(value, within(1e-9));
            assertThat(podPhase(registry, phase, "off").count()).isZero();
        });
        // the histogram's buckets: 15 s is in le=15 and above, not in le=10
        Map<Double, Long> total = buckets(podPhase(registry, "total", "on"));
        assertThat(total).containsEntry(10.0, 0L).containsEntry(15.0, 1L).containsEntry(900.0, 1L);
        assertThat(total.keySet()).startsWith(0.25).endsWith(900.0).hasSize(18);
    }

    @Test
    void theStartupPhaseIsAlsoRecordedByBoostedOrNotOncePerPod() {
        StartupTelemetry telemetry = telemetry(registry);
        telemetry.begin(LEADS_FROM);
        Pod boosted = Objects.boosted(pod("boosted", true, 0, "PodScheduled=True@12:00:01", "Initialized=True@12:00:02",
                "Ready=True@12:00:08"));
        deliver(telemetry, boosted);
        deliver(telemetry, boosted); // a resync: not again
        deliver(telemetry, pod("plain", true, 0, "PodScheduled=True@12:00:01", "Initialized=True@12:00:02",
                "Ready=True@12:00:32"));
        deliver(telemetry, pod("off", false, 0, "PodScheduled=True@12:00:01", "Initialized=True@12:00:02",
                "Ready=True@12:00:12"));
        // a restart: Ready dates from the restart, no startup phase to record
        deliver(telemetry, Objects.boosted(pod("restarted", true, 1, "PodScheduled=True@12:00:01",
                "Initialized=True@12:00:02", "Ready=True@12:00:03")));
        Timer yes = registry.get("headstart.cpu.boost.startup").tag("boosted", "true").timer();
        Timer no = registry.get("headstart.cpu.boost.startup").tag("boosted", "false").timer();
        assertThat(yes.count()).isEqualTo(1);
        assertThat(yes.totalTime(TimeUnit.SECONDS)).isCloseTo(6.0, within(1e-9));
        assertThat(no.count()).isEqualTo(2);
        assertThat(no.totalTime(TimeUnit.SECONDS)).isCloseTo(40.0, within(1e-9));
        assertThat(buckets(yes)).containsEntry(5.0, 0L).containsEntry(10.0, 1L);
        // the phase histogram is unchanged by the split: the boosted pod is one of headstart=on's
        assertThat(podPhase(registry, "startup", "on").count()).isEqualTo(2);
    }

    @Test
    void podsFromBeforeTheLeaderOrNeverReadyOrTooLateAreNotCounted() {
        StartupTelemetry telemetry = telemetry(registry);
        telemetry.begin(Instant.parse("2026-11-21T12:00:00.200Z")); // counts pods created from 12:00:01
        deliver(telemetry, pod("ready-before", false, 0, "Ready=True@11:59:59"));
        deliver(telemetry, pod("created-before", false, 0, "Ready=True@12:05:00")); // created 12:00:00, in flight
        assertThat(podPhase(registry, "total", "off").count()).isZero();
        Pod late = pod("late", false, 0, "Ready=True@13:00:02");
        late.getMetadata().setCreationTimestamp("2026-11-21T12:00:01Z");
        deliver(telemetry, late); // Ready 1 h 0 m 1 s after creation: past the horizon
        Pod pending = pod("pending", false, 0, "PodScheduled=True@12:00:05", "Ready=False@12:00:05");
        pending.getMetadata().setCreationTimestamp("2026-11-21T12:00:01Z");
        deliver(telemetry, pending);
        assertThat(registry.get("headstart.pod.startup").timers()).allMatch(t -> t.count() == 0);
        Pod fresh = pod("fresh", false, 0, "Ready=True@12:00:31");
        fresh.getMetadata().setCreationTimestamp("2026-11-21T12:00:01Z");
        deliver(telemetry, fresh);
        assertThat(podPhase(registry, "total", "off").totalTime(TimeUnit.SECONDS)).isEqualTo(30.0);
    }

    @Test
    void nothingIsCountedWhileNotLeading() {
        StartupTelemetry telemetry = telemetry(registry);
        deliver(telemetry, pod("a", false, 0, "Ready=True@12:00:10"));
        telemetry.onNode(node("n", "12:00:00", "12:00:30"));
        telemetry.begin(LEADS_FROM);
        telemetry.end();
        deliver(telemetry, pod("b", false, 0, "Ready=True@12:00:10"));
        assertThat(registry.get("headstart.pod.startup").timers()).allMatch(t -> t.count() == 0);
        assertThat(registry.get("headstart.node.startup").timers()).allMatch(t -> t.count() == 0);
    }

    /**
     * A leader change: replica A leads from 11:59:59.4 and loses the lease at 12:00:30; B leads from
     * 12:00:31.5 (counts from 12:00:32). Both informers deliver every pod (their initial lists), A's
     * until it stops, B's from its start. Every pod is counted at most once in the two registries
     * together; the one in flight during the hand-over by neither.
     */
    @Test
    void aLeaderChangeCountsNoPodTwice() {
        MeterRegistry metersA = new SimpleMeterRegistry();
        MeterRegistry metersB = new SimpleMeterRegistry();
        StartupTelemetry a = telemetry(metersA);
        StartupTelemetry b = telemetry(metersB);
        List<Pod> early = List.of(pod("early-1", true, 0, "Ready=True@12:00:05"), pod("early-2", false, 0, "Ready=True@12:00:20"));
        Pod inFlight = created(pod("in-flight", true, 0, "Ready=True@12:00:40"), "12:00:25");
        Pod inFlightPending = created(pod("in-flight", true, 0, "PodScheduled=True@12:00:26"), "12:00:25");
        List<Pod> late = List.of(created(pod("late-1", true, 0, "Ready=True@12:00:45"), "12:00:32"),
                created(pod("late-2", false, 0, "Ready=True@12:01:10"), "12:00:40"));
        a.begin(LEADS_FROM);
        early.forEach(p -> deliver(a, p));
        deliver(a, inFlightPending);
        a.end();
        b.begin(Instant.parse("2026-11-21T12:00:31.500Z"));
        early.forEach(p -> deliver(b, p)); // B's initial list
        deliver(b, inFlight);
        late.forEach(p -> deliver(b, p));
        late.forEach(p -> deliver(a, p)); // A, no longer leading, sees them too
        assertThat(totals(metersA)).isEqualTo(Map.of("on", List.of(5.0), "off", List.of(20.0)));
        assertThat(totals(metersB)).isEqualTo(Map.of("on", List.of(13.0), "off", List.of(30.0)));
        // the same replica leading again later starts afresh and counts nothing it counted before
        b.end();
        b.begin(Instant.parse("2026-11-21T12:02:00Z"));
        late.forEach(p -> deliver(b, p));
        assertThat(totals(metersB)).isEqualTo(Map.of("on", List.of(13.0), "off", List.of(30.0)));
    }

    private static Pod created(Pod pod, String at) {
        pod.getMetadata().setCreationTimestamp(Objects.time(at));
        return pod;
    }

    /** Sum of recorded totals per group: one value per pod counted, as the sum and count show. */
    private static Map<String, List<Double>> totals(MeterRegistry meters) {
        Map<String, List<Double>> totals = new HashMap<>();
        for (String group : List.of("on", "off")) {
            Timer timer = podPhase(meters, "total", group);
            List<Double> values = new ArrayList<>();
            if (timer.count() == 1) {
                values.add(timer.totalTime(TimeUnit.SECONDS));
            } else if (timer.count() > 1) {
                values.add(-1.0); // more than one: the assertion above shows it
            }
            totals.put(group, values);
        }
        return totals;
    }

    @Test
    void countedPodsAreForgottenWhenDeletedOrPastTheHorizon() {
        StartupTelemetry telemetry = telemetry(registry);
        telemetry.begin(LEADS_FROM);
        Pod web = pod("web", false, 0, "Ready=True@12:00:10");
        deliver(telemetry, web);
        deliver(telemetry, pod("api", false, 0, "Ready=True@12:00:10"));
        assertThat(telemetry.remembered()).isEqualTo(2);
        telemetry.onPodDeleted(web);
        assertThat(telemetry.remembered()).isEqualTo(1);
        // an hour after creation a Ready transition is no start: a flap of api is not counted
        now.set(Instant.parse("2026-11-21T13:00:30Z"));
        deliver(telemetry, pod("api", false, 0, "Ready=True@13:00:00"));
        assertThat(telemetry.remembered()).isEqualTo(1);
        // and five minutes later api is forgotten
        now.set(Instant.parse("2026-11-21T13:05:01Z"));
        deliver(telemetry, pod("api", false, 0, "Ready=True@13:05:00"));
        assertThat(telemetry.remembered()).isZero();
        assertThat(podPhase(registry, "total", "off").count()).isEqualTo(2);
    }

    @Test
    void imagePullsAreCountedByGroupOncePerEventFromTheLeadersStart() {
        StartupTelemetry telemetry = telemetry(registry);
        telemetry.begin(LEADS_FROM);
        deliver(telemetry, pod("on-1", true, 0));
        deliver(telemetry, pod("off-1", false, 0));
        List<Event> events = List.of(
                at(pulled("on-1", "uid-on-1", "Container image \"a\" already present on machine"), "12:00:03"),
                at(pulled("on-1", null, "Successfully pulled image \"b\" in 850ms (850ms including waiting)"), "12:00:04"),
                at(pulled("off-1", "uid-off-1", "Successfully pulled image \"a\" in 1m5.5s (1m5.5s including waiting)"), "12:00:05"),
                at(pulled("off-1", "uid-off-1", "Successfully pulled image \"a\""), "12:00:05"), // no duration printed
                at(pulled("off-1", "uid-off-1", "Successfully pulled image \"a\" in 3s"), "11:59:00"), // before the leader
                at(pulled("off-1", "uid-an-older-off-1", "Successfully pulled image \"a\" in 3s"), "12:00:05"), // another pod
                at(pulled("nobody", null, "Successfully pulled image \"a\" in 3s"), "12:00:05"), // a pod not in the store
                at(Objects.event("Pulling", "Pod", "off-1", "uid-off-1", "Pulling image \"a\""), "12:00:05"));
        events.forEach(telemetry::onEventAdded);
        assertThat(registry.get("headstart.image.pulls").tag("headstart", "on").tag("cached", "true").counter().count()).isEqualTo(1);
        assertThat(registry.get("headstart.image.pulls").tag("headstart", "on").tag("cached", "false").counter().count()).isEqualTo(1);
        assertThat(registry.get("headstart.image.pulls").tag("headstart", "off").tag("cached", "false").counter().count()).isEqualTo(2);
        assertThat(registry.get("headstart.image.pulls").tag("headstart", "off").tag("cached", "true").counter().count()).isZero();
        Timer on = registry.get("headstart.image.pull").tag("headstart", "on").timer();
        assertThat(on.count()).isEqualTo(2);
        assertThat(on.totalTime(TimeUnit.SECONDS)).isCloseTo(0.85, within(1e-9));
        assertThat(buckets(on)).containsEntry(0.25, 1L).containsEntry(1.0, 2L);
        Timer off = registry.get("headstart.image.pull").tag("headstart", "off").timer();
        assertThat(off.count()).isEqualTo(1);
        assertThat(off.totalTime(TimeUnit.SECONDS)).isCloseTo(65.5, within(1e-9));
    }

    private static Event at(Event event, String time) {
        event.setFirstTimestamp(Objects.time(time));
        event.setLastTimestamp(Objects.time(time));
        return event;
    }

    @Test
    void nodePhasesAreCountedOnceEachWhenTheyEnd() {
        StartupTelemetry telemetry = telemetry(registry);
        telemetry.begin(LEADS_FROM);
        telemetry.onNode(node("old", "11:50:00", "11:51:00")); // Ready before the leader
        Node joining = node("warm-1", "11:59:30", null, "headstart.dev/warm-pool=true");
        telemetry.onNode(joining);
        Node ready = node("warm-1", "11:59:30", "12:00:10", "headstart.dev/warm-pool=true");
        telemetry.onNode(ready);
        telemetry.onNode(ready); // heartbeats
        Node cached = node("warm-1", "11:59:30", "12:00:10", "headstart.dev/warm-pool=true",
                "headstart.dev/image-cache-complete=12:01:00");
        telemetry.onNode(cached);
        Node warm = node("warm-1", "11:59:30", "12:00:10", "headstart.dev/warm-pool=true",
                "headstart.dev/image-cache-complete=12:01:00", "headstart.dev/warm-up-complete=12:02:30");
        telemetry.onNode(warm);
        telemetry.onNode(warm);
        // a Ready flap later is not a second start
        telemetry.onNode(node("warm-1", "11:59:30", "12:10:00", "headstart.dev/warm-pool=true"));
        telemetry.onNode(node("cold-1", "12:00:00", "12:01:30"));
        Map<String, Double> warmPool = Map.of("ready", 40.0, "imageCache", 90.0, "warmUp", 180.0);
        warmPool.forEach((phase, seconds) -> {
            Timer timer = registry.get("headstart.node.startup").tag("phase", phase).tag("warm_pool", "true").timer();
            assertThat(timer.count()).as(phase).isEqualTo(1);
            assertThat(timer.totalTime(TimeUnit.SECONDS)).as(phase).isEqualTo(seconds);
        });
        Timer coldReady = registry.get("headstart.node.startup").tag("phase", "ready").tag("warm_pool", "false").timer();
        assertThat(coldReady.count()).isEqualTo(1);
        assertThat(coldReady.totalTime(TimeUnit.SECONDS)).isEqualTo(90.0);
        // a node deleted and registered again under the same name is a new node (new uid) anyway;
        // deleting forgets the old one's phases
        telemetry.onNodeDeleted(warm);
        telemetry.onNode(warm);
        assertThat(registry.get("headstart.node.startup").tag("phase", "warmUp").tag("warm_pool", "true").timer().count())
                .isEqualTo(2);
    }

    @Test
    void prometheusNamesAndLabelsAreTheIssues() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        StartupTelemetry telemetry = telemetry(prometheus);
        telemetry.begin(LEADS_FROM);
        deliver(telemetry, pod("web", true, 0, "PodScheduled=True@12:00:02", "Initialized=True@12:00:05", "Ready=True@12:00:15"));
        String scrape = prometheus.scrape();
        assertThat(scrape)
                .contains("headstart_pod_startup_seconds_bucket{headstart=\"on\",phase=\"total\",le=\"15.0\",} 1.0")
                .contains("headstart_pod_startup_seconds_bucket{headstart=\"on\",phase=\"total\",le=\"0.25\",} 0.0")
                .contains("headstart_pod_startup_seconds_bucket{headstart=\"on\",phase=\"total\",le=\"900.0\",} 1.0")
                .contains("headstart_pod_startup_seconds_count{headstart=\"off\",phase=\"scheduling\",} 0.0")
                .contains("headstart_image_pulls_total{cached=\"true\",headstart=\"on\",} 0.0")
                .contains("headstart_image_pull_seconds_bucket{headstart=\"off\",le=\"0.25\",} 0.0")
                .contains("headstart_node_startup_seconds_bucket{phase=\"warmUp\",warm_pool=\"true\",le=\"900.0\",} 0.0");
        // bounded label sets: 4 phases × 2 groups, 2 × 2 pull counters, 2 pull histograms, 3 × 2 node phases
        assertThat(scrape.lines().filter(l -> l.startsWith("headstart_pod_startup_seconds_count"))).hasSize(8);
        assertThat(scrape).contains("headstart_cpu_boost_startup_seconds_count{boosted=\"true\",} ")
                .contains("headstart_cpu_boost_startup_seconds_count{boosted=\"false\",} ");
        assertThat(scrape.lines().filter(l -> l.startsWith("headstart_image_pulls_total"))).hasSize(4);
        assertThat(scrape.lines().filter(l -> l.startsWith("headstart_image_pull_seconds_count"))).hasSize(2);
        assertThat(scrape.lines().filter(l -> l.startsWith("headstart_node_startup_seconds_count"))).hasSize(6);
    }
}
