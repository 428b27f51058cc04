package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.CompatibilityFlags;
import io.fabric8.zjsonpatch.JsonPatch;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.regex.Pattern;

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
                    + "|(init)?[cC]ontainers/\\d+/(imagePullPolicy|(readinessProbe|livenessProbe)/initialDelaySeconds))"
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
