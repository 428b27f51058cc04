package dev.headstart.telemetry;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The controller's live startup metrics, fed by the shared informers' callbacks (plain fabric8
 * objects) while this replica leads:
 * <ul>
 *   <li>{@code headstart_pod_startup_seconds{phase, headstart="on|off"}} — each pod once, when it
 *       is Ready, every phase {@link PodStartup} can measure;</li>
 *   <li>{@code headstart_cpu_boost_startup_seconds{boosted="true|false"}} — the same pods' {@code startup}
 *       phase split by whether the cpu-boost rule lifted their CPU limit ({@link PodStartup#isBoosted});
 *       a series of its own rather than a third label on the histogram above, which would double its
 *       series and change the series every existing query and alert names;</li>
 *   <li>{@code headstart_image_pulls_total{cached, headstart}} and
 *       {@code headstart_image_pull_seconds{headstart}} — each kubelet {@code Pulled} event once
 *       (a cache hit is a pull of 0 s);</li>
 *   <li>{@code headstart_node_startup_seconds{phase, warm_pool}} — each node phase once, when its
 *       end is recorded.</li>
 * </ul>
 * The figures are the offline {@code headstart startup} report's, computed by the same classes.
 *
 * <h2>Counted once, also across restarts and leader changes — without writing to any object</h2>
 * {@link #begin} fixes {@code countFrom}: the leader's start, rounded up to the whole second
 * (the API's times have whole seconds). A leader counts
 * <ul>
 *   <li>a pod only when it was created at or after {@code countFrom} — so nothing that existed
 *       before this leader, Ready or not, is ever counted again by it;</li>
 *   <li>a node phase only when it ended at or after {@code countFrom};</li>
 *   <li>an event only when it was first seen (its {@code firstTimestamp}) at or after {@code countFrom}.</li>
 * </ul>
 * The previous leader stopped counting before the lease passed on, so the two never count the same
 * pod; pods in flight during a hand-over (created before it, Ready after) are not counted by
 * either: a leader change loses a few seconds of pods, it never counts one twice. Within one
 * leadership a pod that turns Ready again (a readiness flap) is not counted again: counted pods are
 * remembered by uid until deleted, or until {@code horizon} after their creation — past that a
 * pod's Ready transition is not a startup and is not counted at all (the memory is bounded by pods
 * created per horizon, not by the cluster's size). The alternative, an annotation on every counted
 * pod, would be a write per pod start: not worth a metric.
 */
public final class StartupTelemetry {

    /** The pods the informer holds, to tell which group an event's pod is in. */
    @FunctionalInterface
    public interface PodLookup {
        Optional<Pod> pod(String namespace, String name);
    }

    /** Histogram buckets from 0.25 s to 15 min. */
    static final Duration[] BUCKETS = {Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(15), Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(45),
            Duration.ofSeconds(60), Duration.ofSeconds(90), Duration.ofMinutes(2), Duration.ofMinutes(3),
            Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(15)};

    /** Pods not Ready within this of their creation are not counted (see the class comment and {@link PodStartup}). */
    public static final Duration DEFAULT_HORIZON = PodStartup.HORIZON;

    /** How long after the horizon a counted pod is still remembered. */
    static final Duration SWEEP_MARGIN = Duration.ofMinutes(5);

    private final PodLookup pods;
    private final Clock clock;
    private final Duration horizon;
    private final Map<String, Timer> podPhases = new ConcurrentHashMap<>();
    private final Map<Boolean, Timer> boostStartup = new ConcurrentHashMap<>();
    private final Map<String, Timer> nodePhases = new ConcurrentHashMap<>();
    private final Map<String, Counter> pulls = new ConcurrentHashMap<>();
    private final Map<String, Timer> pullSeconds = new ConcurrentHashMap<>();
    /** Counted pods: uid → creation, forgotten when deleted or past the horizon. */
    private final Map<String, Instant> countedPods = new ConcurrentHashMap<>();
    /** Counted node phases: "uid/phase". Nodes are few; forgotten when deleted. */
    private final Map<String, Boolean> countedNodePhases = new ConcurrentHashMap<>();
    private volatile Instant countFrom;
    private volatile Instant nextSweep = Instant.MIN;

    public StartupTelemetry(MeterRegistry registry, PodLookup pods, Clock clock, Duration horizon) {
        this.pods = pods;
        this.clock = clock;
        this.horizon = horizon;
        for (String group : new String[] {"on", "off"}) {
            for (PodPhase phase : PodPhase.values()) {
                podPhases.put(phase.label() + "/" + group, histogram(Timer.builder("headstart.pod.startup")
                        .description("How long pods took to start, per phase; headstart=on when Headstart changed the pod")
                        .tags("phase", phase.label(), "headstart", group), registry));
            }
            for (String cached : new String[] {"true", "false"}) {
                pulls.put(cached + "/" + group, Counter.builder("headstart.image.pulls")
                        .description("Image pulls of pods' containers (kubelet Pulled events); cached=true: already on the node")
                        .tags("cached", cached, "headstart", group).register(registry));
            }
            pullSeconds.put(group, histogram(Timer.builder("headstart.image.pull")
                    .description("How long image pulls took (a cache hit is 0 s)").tags("headstart", group), registry));
        }
        for (boolean boosted : new boolean[] {true, false}) {
            boostStartup.put(boosted, histogram(Timer.builder("headstart.cpu.boost.startup")
                    .description("The startup phase (Ready - Initialized) of pods, boosted=true when the cpu-boost rule lifted their CPU limit")
                    .tags("boosted", Boolean.toString(boosted)), registry));
        }
        for (String warm : new String[] {"true", "false"}) {
            for (NodePhase phase : NodePhase.values()) {
                nodePhases.put(phase.label() + "/" + warm, histogram(Timer.builder("headstart.node.startup")
                        .description("How long nodes took from creation to each phase's end; warm_pool=true when from a warm pool")
                        .tags("phase", phase.label(), "warm_pool", warm), registry));
            }
        }
    }

    /** A histogram with the buckets above (meter names stay literal: MonitoringMetricsTest reads them). */
    private static Timer histogram(Timer.Builder timer, MeterRegistry registry) {
        return timer.serviceLevelObjectives(BUCKETS)
                .minimumExpectedValue(BUCKETS[0]).maximumExpectedValue(BUCKETS[BUCKETS.length - 1])
                .register(registry);
    }

    /** This replica leads from {@code since}: count what starts from then on. */
    public void begin(Instant since) {
        countedPods.clear();
        countedNodePhases.clear();
        Instant whole = since.truncatedTo(ChronoUnit.SECONDS);
        countFrom = whole.equals(since) ? whole : whole.plusSeconds(1);
    }

    /** Leadership lost: stop counting and forget (the next leader starts afresh). */
    public void end() {
        countFrom = null;
        countedPods.clear();
        countedNodePhases.clear();
    }

    /** A pod was added or updated. */
    public void onPod(Pod pod) {
        Instant from = countFrom;
        if (from == null) {
            return;
        }
        sweep();
        Optional<PodStartup> started = PodStartup.of(pod, horizon);
        if (started.isEmpty()) {
            return;
        }
        PodStartup startup = started.get();
        if (startup.uid() == null || startup.lateReady() || startup.createdAt().isBefore(from)
                || countedPods.putIfAbsent(startup.uid(), startup.createdAt()) != null) {
            return;
        }
        String group = startup.headstart() ? "on" : "off";
        startup.phases().forEach((phase, seconds) -> podPhases.get(phase.label() + "/" + group).record(duration(seconds)));
        Double startupSeconds = startup.phases().get(PodPhase.STARTUP);
        if (startupSeconds != null) {
            boostStartup.get(PodStartup.isBoosted(pod)).record(duration(startupSeconds));
        }
    }

    public void onPodDeleted(Pod pod) {
        if (pod.getMetadata() != null && pod.getMetadata().getUid() != null) {
            countedPods.remove(pod.getMetadata().getUid());
        }
    }

    /** A node was added or updated. */
    public void onNode(Node node) {
        Instant from = countFrom;
        if (from == null) {
            return;
        }
        Optional<NodeStartup> started = NodeStartup.of(node, horizon);
        if (started.isEmpty() || started.get().uid() == null) {
            return;
        }
        NodeStartup startup = started.get();
        String warm = startup.warmPool() ? "true" : "false";
        Map<NodePhase, Double> phases = startup.phases();
        startup.ends().forEach((phase, end) -> {
            if (!end.isBefore(from) && countedNodePhases.putIfAbsent(startup.uid() + "/" + phase.label(), true) == null) {
                nodePhases.get(phase.label() + "/" + warm).record(duration(phases.get(phase)));
            }
        });
    }

    public void onNodeDeleted(Node node) {
        if (node.getMetadata() != null && node.getMetadata().getUid() != null) {
            String prefix = node.getMetadata().getUid() + "/";
            countedNodePhases.keySet().removeIf(key -> key.startsWith(prefix));
        }
    }

    /**
     * An event was added. (Updates are the same event repeated, e.g. "already present" again after
     * a container restart: not wired, as the offline report counts each Event object once too.)
     */
    public void onEventAdded(Event event) {
        Instant from = countFrom;
        if (from == null) {
            return;
        }
        Optional<ImagePull> pull = ImagePull.of(event);
        Optional<Instant> first = firstSeen(event);
        if (pull.isEmpty() || first.isEmpty() || first.get().isBefore(from)) {
            return;
        }
        ObjectReference about = event.getInvolvedObject();
        Optional<Pod> pod = pods.pod(about.getNamespace(), about.getName())
                .filter(p -> about.getUid() == null || about.getUid().isEmpty()
                        || about.getUid().equals(p.getMetadata().getUid()));
        if (pod.isEmpty()) {
            return;
        }
        String group = PodStartup.isHeadstart(pod.get()) ? "on" : "off";
        pulls.get(pull.get().cached() + "/" + group).increment();
        pull.get().seconds().ifPresent(s -> pullSeconds.get(group).record(duration(s)));
    }

    private static Optional<Instant> firstSeen(Event event) {
        Optional<Instant> first = Rfc3339.parse(event.getFirstTimestamp());
        if (first.isEmpty() && event.getEventTime() != null) {
            first = Rfc3339.parse(event.getEventTime().getTime());
        }
        if (first.isEmpty() && event.getMetadata() != null) {
            first = Rfc3339.parse(event.getMetadata().getCreationTimestamp());
        }
        return first;
    }

    /**
     * Forgets counted pods past the horizon, at most once a minute; with a margin, so that a late
     * delivery or a skewed kubelet clock cannot bring back a pod just forgotten.
     */
    private void sweep() {
        Instant now = clock.instant();
        if (now.isBefore(nextSweep)) {
            return;
        }
        nextSweep = now.plusSeconds(60);
        Instant oldest = now.minus(horizon).minus(SWEEP_MARGIN);
        countedPods.values().removeIf(created -> created.isBefore(oldest));
    }

    /** Pods remembered as counted (for the memory estimate and tests). */
    int remembered() {
        return countedPods.size();
    }

    private static Duration duration(double seconds) {
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }
}
