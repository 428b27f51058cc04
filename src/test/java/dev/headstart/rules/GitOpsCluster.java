package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.CompatibilityFlags;
import io.fabric8.zjsonpatch.JsonPatch;

import java.util.EnumSet;

/**
 * One stored object and the ways it is written: CREATE, client-side and server-side apply
 * ({@link ApplyModel}), and a plain edit (kubectl edit, a controller's update). Every write goes
 * through Headstart's engine as the webhook would (with the stored object as {@code oldObject}),
 * its patch applied strictly, and is checked to be a fixed point: the API server reinvokes the
 * webhook with its own output ({@code reinvocationPolicy: IfNeeded}) and that must change nothing.
 */
final class GitOpsCluster {

    private final RuleEngine engine;
    private ObjectNode stored;
    private Mutation last;

    GitOpsCluster(RuleEngine engine) {
        this.engine = engine;
    }

    ObjectNode stored() {
        return stored;
    }

    /** The pod template as stored: what the DaemonSet controller hashes. */
    JsonNode template() {
        return stored.at("/spec/template").deepCopy();
    }

    Mutation lastMutation() {
        return last;
    }

    GitOpsCluster create(ObjectNode manifest) {
        ObjectNode sent = manifest.deepCopy();
        Workload.objectAt(Workload.objectAt(sent, "metadata"), "annotations")
                .put(ApplyModel.LAST_APPLIED, manifest.toString());
        stored = admit(sent, null);
        return this;
    }

    /** kubectl apply (client-side): original = last-applied, modified = manifest, current = stored. */
    GitOpsCluster applyClientSide(ObjectNode manifest) {
        stored = admit(ApplyModel.clientSide(ApplyModel.lastApplied(stored), manifest, stored), stored);
        return this;
    }

    /** kubectl apply --server-side, Flux. */
    GitOpsCluster applyServerSide(ObjectNode manifest) {
        stored = admit(ApplyModel.serverSide(manifest, stored), stored);
        return this;
    }

    /** An update of the whole object as read and changed (kubectl edit, kubectl label). */
    GitOpsCluster edit(java.util.function.Consumer<ObjectNode> change) {
        ObjectNode sent = stored.deepCopy();
        change.accept(sent);
        stored = admit(sent, stored);
        return this;
    }

    private ObjectNode admit(ObjectNode sent, ObjectNode old) {
        ObjectNode received = sent.deepCopy();
        last = engine.mutate(Workload.of(received).orElseThrow(), old == null ? null : Workload.of(old.deepCopy()).orElseThrow());
        if (!last.changed()) {
            return sent;
        }
        ObjectNode result = (ObjectNode) JsonPatch.apply(last.patch(), sent,
                EnumSet.of(CompatibilityFlags.FORBID_REMOVE_MISSING_OBJECT));
        Mutation again = engine.mutate(Workload.of(result.deepCopy()).orElseThrow(),
                old == null ? null : Workload.of(old.deepCopy()).orElseThrow());
        if (again.changed()) {
            throw new AssertionError("the webhook's own output draws a patch on reinvocation: " + again.patch()
                    + "\nfirst output: " + result);
        }
        return result;
    }
}
