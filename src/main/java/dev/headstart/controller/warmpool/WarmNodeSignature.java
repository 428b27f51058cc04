package dev.headstart.controller.warmpool;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Taint;

import java.util.List;
import java.util.Objects;

/**
 * What of a Node can change a warm-pool pass: its taints, its readiness and its instance. Status
 * heartbeats (condition {@code lastHeartbeatTime}, a new resourceVersion), image lists and label
 * or annotation edits leave it equal, so they cause no pass and no Auto Scaling call.
 */
record WarmNodeSignature(List<String> taints, String ready, String providerId) {

    static WarmNodeSignature of(Node node) {
        List<String> taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of()
                : node.getSpec().getTaints().stream().map(WarmNodeSignature::taint).sorted().toList();
        String ready = node.getStatus() == null || node.getStatus().getConditions() == null ? null
                : node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                        .map(NodeCondition::getStatus).findFirst().orElse(null);
        return new WarmNodeSignature(taints, ready, node.getSpec() == null ? null : node.getSpec().getProviderID());
    }

    /** True when the update may change what a pass does for this node. */
    static boolean changed(Node before, Node after) {
        return !of(before).equals(of(after));
    }

    private static String taint(Taint t) {
        return Objects.toString(t.getKey(), "") + "=" + Objects.toString(t.getValue(), "") + ":"
                + Objects.toString(t.getEffect(), "");
    }
}
