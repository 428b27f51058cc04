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
                        assertThat(earliestKill).as(where + ": a day").isGreaterThanOrEqualTo(86_400);
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
