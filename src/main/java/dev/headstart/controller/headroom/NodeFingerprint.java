package dev.headstart.controller.headroom;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;

import java.util.List;
import java.util.Map;

/**
 * What any pool's census reads of a node: readiness, cordoning, allocatable CPU, labels, taints.
 * Nodes update their status every few seconds; only a change of this can move a plan.
 */
record NodeFingerprint(boolean ready, boolean cordoned, long milliCpu, Map<String, String> labels,
        List<String> taints) {

    static NodeFingerprint of(Node node) {
        Map<String, String> labels = node.getMetadata() == null || node.getMetadata().getLabels() == null
                ? Map.of() : Map.copyOf(node.getMetadata().getLabels());
        List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null
                ? List.of() : node.getSpec().getTaints();
        return new NodeFingerprint(NodeCensus.isReady(node), NodeCensus.isCordoned(node),
                NodeCensus.allocatableMilliCpu(node), labels,
                taints.stream().map(t -> t.getKey() + "=" + t.getValue() + ":" + t.getEffect()).sorted().toList());
    }
}
