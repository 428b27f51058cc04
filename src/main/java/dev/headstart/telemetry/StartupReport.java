package dev.headstart.telemetry;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    /** One side of the pod comparison. */
    public record PodGroup(List<PodStartup> pods, Map<PodPhase, Summary> phases, int pulls, int cached,
            Summary pullSeconds) {

        ObjectNode toJson() {
            ObjectNode json = JsonNodeFactory.instance.objectNode();
            json.put("count", pods.size());
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

    private final PodGroup on;
    private final PodGroup off;
    private final NodeGroup warmPool;
    private final NodeGroup cold;

    private StartupReport(PodGroup on, PodGroup off, NodeGroup warmPool, NodeGroup cold) {
        this.on = on;
        this.off = off;
        this.warmPool = warmPool;
        this.cold = cold;
    }

    public static StartupReport of(Collection<Pod> pods, Collection<Node> nodes, Collection<Event> events) {
        Map<String, Boolean> groupByUid = new HashMap<>();
        Map<String, Boolean> groupByKey = new HashMap<>();
        List<PodStartup> onPods = new ArrayList<>();
        List<PodStartup> offPods = new ArrayList<>();
        for (Pod pod : pods) {
            if (pod.getMetadata() == null) {
                continue;
            }
            boolean headstart = PodStartup.isHeadstart(pod);
            if (pod.getMetadata().getUid() != null) {
                groupByUid.put(pod.getMetadata().getUid(), headstart);
            }
            groupByKey.put(PodStartup.key(pod), headstart);
            PodStartup.of(pod).ifPresent(s -> (headstart ? onPods : offPods).add(s));
        }
        List<ImagePull> onPulls = new ArrayList<>();
        List<ImagePull> offPulls = new ArrayList<>();
        for (Event event : events) {
            Optional<ImagePull> pull = ImagePull.of(event);
            if (pull.isEmpty()) {
                continue;
            }
            ObjectReference about = event.getInvolvedObject();
            Boolean headstart = about.getUid() != null && !about.getUid().isEmpty()
                    ? groupByUid.get(about.getUid())
                    : groupByKey.get(about.getNamespace() + "/" + about.getName());
            if (headstart != null) {
                (headstart ? onPulls : offPulls).add(pull.get());
            }
        }
        List<NodeStartup> warm = new ArrayList<>();
        List<NodeStartup> coldNodes = new ArrayList<>();
        for (Node node : nodes) {
            NodeStartup.of(node).ifPresent(n -> (n.warmPool() ? warm : coldNodes).add(n));
        }
        return new StartupReport(podGroup(onPods, onPulls), podGroup(offPods, offPulls), nodeGroup(warm),
                nodeGroup(coldNodes));
    }

    private static PodGroup podGroup(List<PodStartup> pods, List<ImagePull> pulls) {
        Map<PodPhase, Summary> phases = new EnumMap<>(PodPhase.class);
        for (PodPhase phase : PodPhase.values()) {
            phases.put(phase, Summary.of(pods.stream().filter(p -> p.phases().containsKey(phase))
                    .map(p -> p.phases().get(phase)).toList()));
        }
        List<Double> seconds = pulls.stream().filter(p -> p.seconds().isPresent())
                .map(p -> p.seconds().getAsDouble()).toList();
        int cached = (int) pulls.stream().filter(ImagePull::cached).count();
        return new PodGroup(List.copyOf(pods), phases, pulls.size(), cached, Summary.of(seconds));
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

    public NodeGroup warmPool() {
        return warmPool;
    }

    public NodeGroup cold() {
        return cold;
    }

    /** The slowest pods of one group by {@code total} (else by the sum of the phases they have). */
    public List<PodStartup> slowestPods(boolean headstart, int limit) {
        List<PodStartup> all = new ArrayList<>((headstart ? on : off).pods());
        all.sort(Comparator.comparingDouble(StartupReport::span).reversed().thenComparing(PodStartup::key));
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

    /** The shape exactly: {@code {"pods": {"on": G, "off": G}, "nodes": {"warmPool": N, "cold": N}}}. */
    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        ObjectNode podJson = json.putObject("pods");
        podJson.set("on", on.toJson());
        podJson.set("off", off.toJson());
        ObjectNode nodeJson = json.putObject("nodes");
        nodeJson.set("warmPool", warmPool.toJson());
        nodeJson.set("cold", cold.toJson());
        return json;
    }
}
