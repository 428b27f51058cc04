package dev.headstart.controller.warmpool;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names of the nodes registered within the cold-launch window that no pass has settled yet, fed by
 * the node informer. The pass reads this instead of rebuilding every cached node to look at its
 * creation time: at 5,000 nodes that was ~35 MiB of Node objects held at once, per pass, which is
 * what ran the controller out of heap at start-up. A name and an instant per young node; nodes older
 * than the window leave at the next {@link #unsettled}.
 */
final class YoungNodes implements ResourceEventHandler<Node> {

    private final Map<String, Instant> registered = new ConcurrentHashMap<>();
    private final java.util.function.Supplier<Instant> windowStart;

    /** @param windowStart the earliest registration still young (now minus the cold-launch window) */
    YoungNodes(java.util.function.Supplier<Instant> windowStart) {
        this.windowStart = windowStart;
    }

    @Override
    public void onAdd(Node node) {
        // A node without a creation time is young: it cannot be ruled out.
        Instant created = WarmPoolReconciler.parse(node.getMetadata().getCreationTimestamp()).orElse(Instant.MAX);
        if (created.isAfter(windowStart.get())) {
            registered.put(node.getMetadata().getName(), created);
        }
    }

    @Override
    public void onUpdate(Node before, Node after) {
        // Registration does not change; a node deleted and registered again under its name is a delete and an add.
    }

    @Override
    public void onDelete(Node node, boolean deletedFinalStateUnknown) {
        registered.remove(node.getMetadata().getName());
    }

    /** Seen in service or in no Auto Scaling group: not looked at again until it leaves the window. */
    void settle(String name) {
        registered.remove(name);
    }

    /** The young nodes not settled, sorted by name; the ones the window has left behind are dropped. */
    List<String> unsettled() {
        Instant since = windowStart.get();
        registered.values().removeIf(created -> !created.isAfter(since));
        return registered.keySet().stream().sorted().toList();
    }

    void clear() {
        registered.clear();
    }
}
