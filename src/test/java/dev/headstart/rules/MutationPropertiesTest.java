package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.CompatibilityFlags;
import io.fabric8.zjsonpatch.JsonPatch;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.regex.Pattern;

import static dev.headstart.rules.GeneratedWorkloads.MOVING_IMAGES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mutation contract checked over thousands of generated pods and DaemonSets (fixed seeds, so a
 * failure names a reproducible case).
 */
class MutationPropertiesTest {

    private static final int CASES = 5000;

    /** The only values Headstart may replace in place; everything else is added. */
    private static final Pattern REPLACEABLE = Pattern.compile(
            "/spec(/template/spec)?/(priority|preemptionPolicy|priorityClassName"
                    + "|(init)?[cC]ontainers/\\d+/(imagePullPolicy|readinessProbe/initialDelaySeconds))"
                    + "|/metadata/annotations/headstart.dev~1applied");

    private final RuleEngine engine = RuleSet.engine(RuleSettings.defaults(),
            PriorityClassCatalog.of("headstart-high", new PriorityClassSpec(1000000, "PreemptLowerPriority")));

    @Test
    void patchesAreMinimalStrictlyApplicableAndIdempotent() {
        int changed = 0;
        for (long seed = 0; seed < CASES; seed++) {
            ObjectNode object = new GeneratedWorkloads(seed).next();
            ObjectNode received = object.deepCopy();
            Workload workload = Workload.of(object).orElseThrow();
            Mutation m = engine.mutate(workload);
            assertThat(object).as("seed %d: the received object is untouched", seed).isEqualTo(received);
            if (!m.changed()) {
                assertThat(m.mutated()).isSameAs(object);
                continue;
            }
            changed++;
            for (JsonNode op : m.patch()) {
                String kind = op.path("op").asText();
                assertThat(kind).as("seed %d: %s", seed, op).isIn("add", "replace");
                if (kind.equals("replace")) {
                    assertThat(op.path("path").asText()).as("seed %d: replaced path", seed).matches(REPLACEABLE);
                }
            }
            JsonNode patched = JsonPatch.apply(m.patch(), received,
                    EnumSet.of(CompatibilityFlags.FORBID_REMOVE_MISSING_OBJECT));
            assertThat(patched).as("seed %d: strict apply reproduces the mutation", seed).isEqualTo(m.mutated());

            Mutation again = engine.mutate(Workload.of(patched.deepCopy()).orElseThrow());
            assertThat(again.changed()).as("seed %d: idempotent, got %s", seed, again.patch()).isFalse();
        }
        assertThat(changed).as("the generator exercises real mutations").isGreaterThan(CASES / 2);
    }

    /**
     * Fill gaps, never add a way to fail (issue 10): no derived startup probe kills before the
     * container's own liveness probe would have (nor before the configured floor), nor before a day
     * where no probe killed at all, nor ever where a kill is not followed by a restart; liveness
     * probes, env entries and Always on a moving tag stay as the owner wrote them; kube-proxy only
     * references a variable that is the node name.
     */
    @Test
    void noMutationAddsAWayToFailNorOverrulesTheOwner() {
        int startupProbes = 0;
        int hostnameOverrides = 0;
        for (long seed = 0; seed < CASES; seed++) {
            ObjectNode received = new GeneratedWorkloads(seed).next();
            Mutation m = engine.mutate(Workload.of(received.deepCopy()).orElseThrow());
            if (!m.changed()) {
                continue;
            }
            String spec = received.path("kind").asText().equals("Pod") ? "/spec" : "/spec/template/spec";
            JsonNode before = received.at(spec);
            JsonNode after = m.mutated().at(spec);
            for (int i = 0; i < before.path("containers").size(); i++) {
                JsonNode b = before.path("containers").get(i);
                JsonNode a = after.path("containers").get(i);
                String where = "seed " + seed + " container " + i;
                assertThat(a.get("livenessProbe")).as(where).isEqualTo(b.get("livenessProbe"));
                if (b.has("env")) {
                    for (int e = 0; e < b.path("env").size(); e++) {
                        assertThat(a.path("env").get(e)).as(where + ": env entries are the owner's").isEqualTo(b.path("env").get(e));
                    }
                }
                if (MOVING_IMAGES.contains(b.path("image").asText()) && "Always".equals(b.path("imagePullPolicy").asText())) {
                    assertThat(a.path("imagePullPolicy").asText()).as(where + ": Always on a moving tag").isEqualTo("Always");
                }
                if (!b.has("startupProbe") && a.has("startupProbe")) {
                    startupProbes++;
                    long earliestKill = (a.at("/startupProbe/failureThreshold").asLong() - 1)
                            * a.at("/startupProbe/periodSeconds").asLong();
                    assertThat(b.has("readinessProbe")).as(where).isTrue();
                    if (b.has("livenessProbe")) {
                        assertThat(earliestKill).as(where + ": liveness allowance")
                                .isGreaterThanOrEqualTo(Math.max(300, ProbeTiming.of(b.get("livenessProbe")).livenessAllowanceSeconds()));
                        assertThat(handler(a.get("startupProbe"))).as(where).isEqualTo(handler(b.get("livenessProbe")));
                    } else {
                        assertThat(a.at("/startupProbe/failureThreshold").asInt()).as(where + ": never kills")
                                .isEqualTo(Integer.MAX_VALUE);
                        String policy = b.has("restartPolicy") ? b.path("restartPolicy").asText()
                                : before.path("restartPolicy").asText("Always");
                        assertThat(policy).as(where + ": a kill is followed by a restart").isNotEqualTo("Never");
                    }
                }
                String override = overrideFlag(a);
                if (override != null && overrideFlag(b) == null) {
                    hostnameOverrides++;
                    String variable = override.substring(override.indexOf("$(") + 2, override.length() - 1);
                    JsonNode definition = null;
                    for (JsonNode var : a.path("env")) {
                        if (var.path("name").asText().equals(variable)) {
                            definition = var;
                        }
                    }
                    assertThat(definition).as(where + ": " + variable).isNotNull();
                    assertThat(definition.at("/valueFrom/fieldRef/fieldPath").asText()).as(where).isEqualTo("spec.nodeName");
                }
            }
        }
        assertThat(startupProbes).as("the generator exercises derived startup probes").isGreaterThan(CASES / 10);
        assertThat(hostnameOverrides).as("the generator exercises kube-proxy").isGreaterThan(CASES / 50);
    }

    /** A probe without its timing: what it checks, and its timeout. */
    private static JsonNode handler(JsonNode probe) {
        ObjectNode copy = ((ObjectNode) probe).deepCopy();
        copy.remove(java.util.List.of("initialDelaySeconds", "periodSeconds", "successThreshold", "failureThreshold"));
        if (!copy.has("timeoutSeconds")) {
            copy.put("timeoutSeconds", ProbeTiming.DEFAULT_TIMEOUT);
        }
        return copy;
    }

    private static String overrideFlag(JsonNode container) {
        for (String field : new String[] {"command", "args"}) {
            for (JsonNode item : container.path(field)) {
                if (item.asText().startsWith("--hostname-override=$(")) {
                    return item.asText();
                }
            }
        }
        return null;
    }

    /**
     * Issue 19: every generated DaemonSet goes through CREATE, an owner's edit of its manifest
     * (client-side apply) and re-applies of the edited manifest, client-side and server-side
     * ({@link ApplyModel}). Each re-apply leaves the stored template exactly as it was (no
     * rollout), every write is a fixed point of the webhook, and no field Headstart owns
     * contradicts the owner's current probes.
     */
    @Test
    void everyDaemonSetSurvivesAnOwnerEditAndAReapply() {
        int daemonSets = 0;
        int followed = 0;
        for (long seed = 0; seed < CASES; seed++) {
            ObjectNode manifest = new GeneratedWorkloads(seed).next();
            if (!manifest.path("kind").asText().equals("DaemonSet")) {
                continue;
            }
            daemonSets++;
            GitOpsCluster cluster = new GitOpsCluster(engine).create(manifest);
            ObjectNode edited = ownersEdit(manifest, new java.util.Random(seed));
            cluster.applyClientSide(edited);
            JsonNode afterEdit = cluster.template();
            cluster.applyClientSide(edited);
            assertThat(cluster.template()).as("seed %d: client-side re-apply", seed).isEqualTo(afterEdit);
            cluster.applyServerSide(edited);
            assertThat(cluster.template()).as("seed %d: server-side re-apply", seed).isEqualTo(afterEdit);
            followed += agreesWithTheOwner(seed, edited, cluster.template());
        }
        assertThat(daemonSets).as("generated DaemonSets").isGreaterThan(CASES / 8);
        assertThat(followed).as("Headstart startup probes checked against edited probes").isGreaterThan(CASES / 50);
    }

    /** One owner's edit of a manifest: a probe's delay or port, a dropped probe, a new image, a label. */
    private static ObjectNode ownersEdit(ObjectNode manifest, java.util.Random random) {
        ObjectNode edited = manifest.deepCopy();
        JsonNode containers = edited.at("/spec/template/spec/containers");
        for (JsonNode c : containers) {
            ObjectNode container = (ObjectNode) c;
            switch (random.nextInt(6)) {
                case 0 -> {
                    if (container.get("livenessProbe") instanceof ObjectNode liveness) {
                        liveness.put("initialDelaySeconds", 900);
                    }
                }
                case 1 -> {
                    for (String probe : new String[] {"livenessProbe", "readinessProbe"}) {
                        if (container.path(probe).get("tcpSocket") instanceof ObjectNode tcp) {
                            tcp.put("port", "mgmt");
                        }
                        if (container.path(probe).get("httpGet") instanceof ObjectNode http) {
                            http.put("port", 9090);
                        }
                    }
                }
                case 2 -> container.remove("readinessProbe");
                case 3 -> container.put("image", "app:3.2.1");
                case 4 -> container.remove("livenessProbe");
                default -> {
                    // unchanged
                }
            }
        }
        Workload.objectAt(Workload.objectAt((ObjectNode) edited.at("/spec/template"), "metadata"), "labels")
                .put("edited", "yes");
        return edited;
    }

    /** Checks each startup probe Headstart owns against the owner's current probes; returns how many. */
    private static int agreesWithTheOwner(long seed, ObjectNode manifest, JsonNode template) {
        java.util.Set<String> owned = OwnedFields.read(template.path("metadata")).map(OwnedFields::paths).orElse(java.util.Set.of());
        int checked = 0;
        for (JsonNode declared : manifest.at("/spec/template/spec/containers")) {
            String name = declared.path("name").asText();
            JsonNode stored = null;
            for (JsonNode c : template.at("/spec/containers")) {
                if (c.path("name").asText().equals(name)) {
                    stored = c;
                }
            }
            String where = "seed " + seed + " container " + name;
            assertThat(stored).as(where).isNotNull();
            assertThat(stored.get("livenessProbe")).as(where + ": liveness is the owner's").isEqualTo(declared.get("livenessProbe"));
            if (!owned.contains("containers[" + name + "].startupProbe")) {
                if (!declared.has("startupProbe")) {
                    // no startup probe of Headstart's: none at all, or (skip) none
                    assertThat(stored.has("startupProbe")).as(where + ": an unowned startup probe").isFalse();
                }
                continue;
            }
            checked++;
            assertThat(declared.has("startupProbe")).as(where + ": the owner's own probe").isFalse();
            assertThat(declared.has("readinessProbe")).as(where + ": its source is there").isTrue();
            JsonNode probe = stored.get("startupProbe");
            long earliestKill = (probe.path("failureThreshold").asLong() - 1) * probe.path("periodSeconds").asLong();
            if (declared.has("livenessProbe")) {
                assertThat(handler(probe)).as(where).isEqualTo(handler(declared.get("livenessProbe")));
                assertThat(earliestKill).as(where + ": budget").isGreaterThanOrEqualTo(
                        Math.max(300, ProbeTiming.of(declared.get("livenessProbe")).livenessAllowanceSeconds()));
            } else {
                assertThat(handler(probe)).as(where).isEqualTo(handler(declared.get("readinessProbe")));
                assertThat(probe.path("failureThreshold").asInt()).as(where).isEqualTo(Integer.MAX_VALUE);
            }
        }
        return checked;
    }

    @Test
    void checkFindsNothingExactlyWhenMutateWouldChangeNothing() {
        for (long seed = 0; seed < CASES; seed++) {
            Workload workload = Workload.of(new GeneratedWorkloads(seed).next()).orElseThrow();
            boolean fails = engine.evaluate(workload).stream().anyMatch(r -> r.status() == RuleStatus.FAIL);
            Mutation m = engine.mutate(workload);
            assertThat(m.changed()).as("seed %d", seed).isEqualTo(fails);
            if (m.changed()) {
                Workload after = Workload.of(m.mutated()).orElseThrow();
                assertThat(engine.evaluate(after)).as("seed %d: mutated object passes", seed)
                        .noneMatch(r -> r.status() == RuleStatus.FAIL || r.status() == RuleStatus.ERROR);
            }
        }
    }
}
