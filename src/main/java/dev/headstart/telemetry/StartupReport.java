package dev.headstart.telemetry;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.UUID;

/**
 * The startup figures of a set of pods, nodes and events (a {@code kubectl} dump or a live list):
 * pods split into Headstart {@code on} and {@code off}, nodes into {@code warmPool} and {@code cold}.
 *
 * <p>Image pulls are those of every listed pod (Ready or not: a pull that hangs is worth seeing);
 * an event counts when its {@code involvedObject} is a listed pod (by uid when the event names
 * one, else by namespace and name). Each Event object counts once: a repeated event (its
 * {@code count} raised) is the same image again after a restart, not another start.
 */
public final class StartupReport {

    /**
     * One side of the pod comparison.
     *
     * @param count the Ready pods (each started within the horizon)
     * @param pods  the slowest of them, as many as the builder was asked to keep (all by default)
     */
    public record PodGroup(int count, List<PodStartup> pods, Map<PodPhase, Summary> phases, int pulls, int cached,
            Summary pullSeconds) {

        ObjectNode toJson() {
            ObjectNode json = JsonNodeFactory.instance.objectNode();
            json.put("count", count);
            ObjectNode phaseJson = json.putObject("phases");
            phases.forEach((phase, summary) -> phaseJson.set(phase.label(), summary.toJson()));
            ObjectNode pullJson = json.putObject("imagePulls");
            pullJson.put("count", pulls);
            pullJson.put("cached", cached);
            pullJson.set("seconds", pullSeconds.toJson());
            return json;
        }
    }

    /** One side of the node comparison. */
    public record NodeGroup(List<NodeStartup> nodes, Map<NodePhase, Summary> phases) {

        ObjectNode toJson() {
            ObjectNode json = JsonNodeFactory.instance.objectNode();
            json.put("count", nodes.size());
            ObjectNode phaseJson = json.putObject("phases");
            phases.forEach((phase, summary) -> phaseJson.set(phase.label(), summary.toJson()));
            return json;
        }
    }

    /**
     * The {@code startup} phase ({@code Ready − Initialized}) of the Ready pods split by whether the
     * cpu-boost rule lifted their CPU limit at admission ({@link PodStartup#isBoosted}): the phase the
     * boost is meant to shorten, the one figure to compare it by.
     *
     * @param boostedCount    Ready pods that were boosted
     * @param notBoostedCount Ready pods that were not
     */
    public record BoostSplit(int boostedCount, Summary boosted, int notBoostedCount, Summary notBoosted) {

        ObjectNode toJson() {
            ObjectNode json = JsonNodeFactory.instance.objectNode();
            ObjectNode yes = json.putObject("boosted");
            yes.put("count", boostedCount);
            yes.set("startup", boosted.toJson());
            ObjectNode no = json.putObject("notBoosted");
            no.put("count", notBoostedCount);
            no.set("startup", notBoosted.toJson());
            return json;
        }
    }

    private final PodGroup on;
    private final PodGroup off;
    private final BoostSplit cpuBoost;
    private final NodeGroup warmPool;
    private final NodeGroup cold;
    private final Counts counts;

    /**
     * What was read and what was left out: objects after de-duplication, duplicates, pods Ready past
     * the horizon, pods whose phases disagreed (left out of {@code total}), nodes whose Ready was a
     * late flap.
     */
    public record Counts(int pods, int nodes, int events, int duplicates, int lateReadyPods, int inconsistentPods,
            int lateReadyNodes) {
    }

    private StartupReport(PodGroup on, PodGroup off, BoostSplit cpuBoost, NodeGroup warmPool, NodeGroup cold,
            Counts counts) {
        this.on = on;
        this.off = off;
        this.cpuBoost = cpuBoost;
        this.warmPool = warmPool;
        this.cold = cold;
        this.counts = counts;
    }

    public static StartupReport of(Collection<Pod> pods, Collection<Node> nodes, Collection<Event> events) {
        Builder report = new Builder(PodStartup.HORIZON);
        pods.forEach(report::addPod);
        nodes.forEach(report::addNode);
        events.forEach(report::addEvent);
        return report.build();
    }

    /**
     * Builds a report one object at a time, keeping only what it reports: per pod its start (the
     * Ready ones) and its group, per pull event the pull. Objects are de-duplicated by uid (by
     * namespace and name without one), so the same object in two files of a dump counts once.
     */
    public static final class Builder {

        /** A pull whose pod was not read yet: matched when the report is built. */
        private record Pending(Object uid, String key, ImagePull pull) {
        }

        /** What one group keeps: per phase the seconds (8 bytes a pod), the slowest pods, the pulls. */
        private static final class Group {
            private final EnumMap<PodPhase, Doubles> phases = new EnumMap<>(PodPhase.class);
            private final PriorityQueue<PodStartup> slowest = new PriorityQueue<>(SLOWEST_FIRST.reversed());
            private final Doubles pullSeconds = new Doubles();
            private int count;
            private int pulls;
            private int cached;

            void add(PodStartup pod, int keep) {
                count++;
                pod.phases().forEach((phase, seconds) -> phases.computeIfAbsent(phase, p -> new Doubles()).add(seconds));
                slowest.add(pod);
                if (slowest.size() > keep) {
                    slowest.poll(); // the quickest of those kept
                }
            }

            void add(ImagePull pull) {
                pulls++;
                if (pull.cached()) {
                    cached++;
                }
                pull.seconds().ifPresent(pullSeconds::add);
            }

            PodGroup build() {
                Map<PodPhase, Summary> summaries = new EnumMap<>(PodPhase.class);
                for (PodPhase phase : PodPhase.values()) {
                    Doubles values = phases.get(phase);
                    summaries.put(phase, values == null ? Summary.EMPTY : values.summary());
                }
                List<PodStartup> pods = new ArrayList<>(slowest);
                pods.sort(SLOWEST_FIRST);
                return new PodGroup(count, List.copyOf(pods), summaries, pulls, cached, pullSeconds.summary());
            }
        }

        private final Duration horizon;
        private final int keepSlowest;
        private final Map<Object, Boolean> groupByUid = new HashMap<>();
        private final Map<String, Boolean> groupByKey = new HashMap<>();
        private final Set<Object> seen = new HashSet<>();
        private final Group on = new Group();
        private final Group off = new Group();
        private final Doubles boostedStartup = new Doubles();
        private final Doubles notBoostedStartup = new Doubles();
        private int boostedPods;
        private int notBoostedPods;
        private final List<Pending> pending = new ArrayList<>();
        private final List<NodeStartup> warm = new ArrayList<>();
        private final List<NodeStartup> coldNodes = new ArrayList<>();
        private int pods;
        private int nodes;
        private int events;
        private int duplicates;
        private int lateReadyPods;
        private int inconsistentPods;
        private int lateReadyNodes;

        /** A builder that keeps every pod's start ({@link PodGroup#pods()} lists them all). */
        public Builder(Duration horizon) {
            this(horizon, Integer.MAX_VALUE);
        }

        /** A builder that keeps only the {@code keepSlowest} slowest starts of each group, and the figures of all. */
        public Builder(Duration horizon, int keepSlowest) {
            this.horizon = horizon;
            this.keepSlowest = keepSlowest;
        }

        public void addPod(Pod pod) {
            if (pod == null || pod.getMetadata() == null) {
                return;
            }
            boolean headstart = PodStartup.isHeadstart(pod);
            String key = PodStartup.key(pod);
            String podUid = pod.getMetadata().getUid();
            // a pod's uid is remembered once, for its group: that map is also its de-duplication
            boolean first = podUid != null && !podUid.isEmpty()
                    ? groupByUid.putIfAbsent(uid(podUid), headstart) == null
                    : firstTime("Pod", null, pod.getMetadata().getName(), key);
            if (!first) {
                duplicates += podUid != null && !podUid.isEmpty() ? 1 : 0;
                return;
            }
            pods++;
            groupByKey.put(key, headstart);
            PodStartup.of(pod, horizon).ifPresent(started -> {
                if (started.lateReady()) {
                    lateReadyPods++;
                    return;
                }
                if (started.inconsistent()) {
                    inconsistentPods++;
                }
                (headstart ? on : off).add(started, keepSlowest);
                boolean boosted = PodStartup.isBoosted(pod);
                if (boosted) {
                    boostedPods++;
                } else {
                    notBoostedPods++;
                }
                Double startup = started.phases().get(PodPhase.STARTUP);
                if (startup != null) {
                    (boosted ? boostedStartup : notBoostedStartup).add(startup);
                }
            });
        }

        public void addNode(Node node) {
            if (node == null || node.getMetadata() == null
                    || !firstTime("Node", node.getMetadata().getUid(), node.getMetadata().getName(), node.getMetadata().getName())) {
                return;
            }
            nodes++;
            NodeStartup.of(node, horizon).ifPresent(n -> {
                if (n.lateReady()) {
                    lateReadyNodes++;
                }
                (n.warmPool() ? warm : coldNodes).add(n);
            });
        }

        /** A core ({@code v1}) event. */
        public void addEvent(Event event) {
            if (event == null || !firstEvent(event.getMetadata())) {
                return;
            }
            ImagePull.of(event).ifPresent(pull -> pull(event.getInvolvedObject(), pull));
        }

        /** An {@code events.k8s.io/v1} event: the same Event, its fields renamed. */
        public void addEvent(io.fabric8.kubernetes.api.model.events.v1.Event event) {
            if (event == null || !firstEvent(event.getMetadata())) {
                return;
            }
            ImagePull.of(event).ifPresent(pull -> pull(event.getRegarding(), pull));
        }

        private boolean firstEvent(io.fabric8.kubernetes.api.model.ObjectMeta metadata) {
            if (metadata != null && !firstTime("Event", metadata.getUid(), metadata.getName(),
                    metadata.getNamespace() + "/" + metadata.getName())) {
                return false;
            }
            events++;
            return true;
        }

        private void pull(ObjectReference about, ImagePull pull) {
            Object uid = about.getUid() == null || about.getUid().isEmpty() ? null : uid(about.getUid());
            String key = about.getNamespace() + "/" + about.getName();
            Boolean headstart = uid != null ? groupByUid.get(uid) : groupByKey.get(key);
            if (headstart != null) {
                (headstart ? on : off).add(pull);
            } else {
                pending.add(new Pending(uid, key, pull));
            }
        }

        /** Whether this object is met for the first time (by uid, else by the given key; one without either always is). */
        private boolean firstTime(String kind, String uid, String name, String key) {
            if ((uid == null || uid.isEmpty()) && (name == null || name.isEmpty())) {
                return true;
            }
            boolean first = seen.add(uid != null && !uid.isEmpty() ? uid(uid) : kind + "/" + key);
            if (!first) {
                duplicates++;
            }
            return first;
        }

        public StartupReport build() {
            for (Pending waiting : pending) {
                Boolean headstart = waiting.uid() != null ? groupByUid.get(waiting.uid()) : groupByKey.get(waiting.key());
                if (headstart != null) {
                    (headstart ? on : off).add(waiting.pull());
                }
            }
            pending.clear();
            return new StartupReport(on.build(), off.build(), new BoostSplit(boostedPods, boostedStartup.summary(),
                    notBoostedPods, notBoostedStartup.summary()), nodeGroup(warm),
                    nodeGroup(coldNodes), new Counts(pods, nodes, events, duplicates, lateReadyPods, inconsistentPods,
                            lateReadyNodes));
        }

        /** A uid as a UUID (32 bytes) when it is one, as the API server writes them: a million fit in little heap. */
        private static Object uid(String uid) {
            if (uid.length() == 36) {
                try {
                    return UUID.fromString(uid);
                } catch (IllegalArgumentException e) {
                    return uid;
                }
            }
            return uid;
        }
    }

    /** What was read and left out. */
    public Counts counts() {
        return counts;
    }

    private static NodeGroup nodeGroup(List<NodeStartup> nodes) {
        Map<NodePhase, Summary> phases = new EnumMap<>(NodePhase.class);
        for (NodePhase phase : NodePhase.values()) {
            phases.put(phase, Summary.of(nodes.stream().map(n -> n.phases().get(phase))
                    .filter(java.util.Objects::nonNull).toList()));
        }
        return new NodeGroup(List.copyOf(nodes), phases);
    }

    public PodGroup on() {
        return on;
    }

    public PodGroup off() {
        return off;
    }

    /** The startup phase by boosted or not; {@link BoostSplit#boostedCount()} 0 when no Ready pod was boosted. */
    public BoostSplit cpuBoost() {
        return cpuBoost;
    }

    public NodeGroup warmPool() {
        return warmPool;
    }

    public NodeGroup cold() {
        return cold;
    }

    /** Slowest first: by {@code total} (else by the sum of the phases a pod has), then by name. */
    static final Comparator<PodStartup> SLOWEST_FIRST =
            Comparator.comparingDouble(StartupReport::span).reversed().thenComparing(PodStartup::key);

    /** The slowest pods of one group by {@code total} (else by the sum of the phases they have). */
    public List<PodStartup> slowestPods(boolean headstart, int limit) {
        List<PodStartup> all = (headstart ? on : off).pods(); // kept slowest first
        return all.subList(0, Math.min(limit, all.size()));
    }

    /** The slowest nodes of one group by their latest recorded end. */
    public List<NodeStartup> slowestNodes(boolean warm, int limit) {
        List<NodeStartup> all = new ArrayList<>((warm ? warmPool : cold).nodes());
        all.sort(Comparator.comparingDouble((NodeStartup n) -> n.phases().values().stream()
                .mapToDouble(Double::doubleValue).max().orElse(0)).reversed().thenComparing(NodeStartup::name));
        return all.subList(0, Math.min(limit, all.size()));
    }

    static double span(PodStartup pod) {
        Double total = pod.phases().get(PodPhase.TOTAL);
        if (total != null) {
            return total;
        }
        return pod.phases().values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /**
     * The shape exactly: {@code {"pods": {"on": G, "off": G}, "nodes": {"warmPool": N, "cold": N}}};
     * when any Ready pod was cpu-boosted, {@code pods} also holds {@code "cpuBoost": {"boosted":
     * {"count", "startup"}, "notBoosted": {...}}} (left out otherwise, so a cluster without the boost
     * reads as before).
     */
    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        ObjectNode podJson = json.putObject("pods");
        podJson.set("on", on.toJson());
        podJson.set("off", off.toJson());
        if (cpuBoost.boostedCount() > 0) {
            podJson.set("cpuBoost", cpuBoost.toJson());
        }
        ObjectNode nodeJson = json.putObject("nodes");
        nodeJson.set("warmPool", warmPool.toJson());
        nodeJson.set("cold", cold.toJson());
        return json;
    }
}
