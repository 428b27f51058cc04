package dev.headstart.controller.imagecache;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.headstart.imagecache.CacheMembership;
import dev.headstart.imagecache.CachePlan;
import dev.headstart.json.Json;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Writes the plan onto the nodes as membership labels ({@link CacheMembership}): one JSON merge
 * patch of {@code metadata.labels} per node whose groups changed, none for the others. A node
 * deleted meanwhile is skipped (its labels went with it); any other failure goes up, and the
 * reconciler retries the whole pass.
 */
final class NodeMembershipLabels {

    private final Supplier<KubernetesClient> client;
    private final AtomicLong writes = new AtomicLong();
    /**
     * Per node, the version the informer showed when its labels were last patched, and what they
     * were set to: while the informer still shows that version it has not seen the patch yet, so
     * the same patch is not sent again (a plan soon after another would otherwise repeat it).
     */
    private final Map<String, Patched> patched = new java.util.HashMap<>();

    private record Patched(String seenVersion, Set<String> wanted) {
    }

    NodeMembershipLabels(Supplier<KubernetesClient> client) {
        this.client = client;
    }

    /** Patches the nodes named (each rebuilt by {@code node} when its turn comes) to the plan's groups. */
    synchronized void apply(java.util.Collection<String> names, java.util.function.Function<String, Node> lookup,
                            CachePlan plan) {
        Set<String> present = new java.util.HashSet<>();
        for (String name : names) {
            Node node = lookup.apply(name);
            if (node == null) {
                continue; // deleted since
            }
            present.add(name);
            Set<String> wanted = new TreeSet<>(plan.groupsByNode().getOrDefault(name, List.of()));
            Map<String, String> changes = CacheMembership.changes(node.getMetadata().getLabels(), wanted);
            String version = node.getMetadata().getResourceVersion();
            Patched last = patched.get(name);
            if (changes.isEmpty() || last != null && last.wanted().equals(wanted) && java.util.Objects.equals(last.seenVersion(), version)) {
                continue;
            }
            String patch;
            try {
                patch = Json.MAPPER.writeValueAsString(Map.of("metadata", Map.of("labels", changes)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            try {
                // resource(named) rather than withName(name): fabric8 GETs a named-only resource before
                // patching it; the informer already holds the node, and the merge patch needs nothing else.
                client.get().nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build())
                        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    continue;
                }
                throw e;
            }
            patched.put(name, new Patched(version, wanted));
            writes.incrementAndGet();
        }
        patched.keySet().retainAll(present);
    }

    /** Label patches made (tests, the bench). */
    long writes() {
        return writes.get();
    }
}
