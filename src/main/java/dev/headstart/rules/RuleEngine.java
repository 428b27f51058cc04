package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.text.OneLine;
import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Runs the rules on a workload: {@link #evaluate} for validating mode, {@link #mutate} for the
 * mutating webhook and the CLI. Pure; callers own I/O.
 *
 * <p>Mutation first checks every rule read-only, so an object with nothing to do costs no copy and
 * no diff. The patch is made of diffs between copies of the object as received, never a typed round
 * trip, so unknown fields and empty lists survive and only intended operations appear. A rule that throws is left out and the rest run again from the received object: the
 * webhook fails open for that rule, never for the request.
 */
public final class RuleEngine {

    private static final EnumSet<DiffFlags> DIFF_FLAGS = DiffFlags.dontNormalizeOpIntoMoveAndCopy();

    private final List<Rule> rules;
    private final Set<String> disabled;
    private final BiConsumer<String, RuntimeException> onRuleError;

    /**
     * @param onRuleError told about every rule that threw (for a log line and a metric); the
     *                    engine itself carries on without that rule
     */
    public RuleEngine(List<Rule> rules, Set<String> disabled, BiConsumer<String, RuntimeException> onRuleError) {
        this.rules = List.copyOf(rules);
        this.disabled = Set.copyOf(disabled);
        this.onRuleError = onRuleError;
    }

    public RuleEngine(List<Rule> rules, Set<String> disabled) {
        this(rules, disabled, (rule, e) -> {
        });
    }

    public List<Rule> rules() {
        return rules;
    }

    /**
     * A warning naming the rules in the object's {@code headstart.dev/skip} annotation that do not
     * exist (a typo skips nothing), or none.
     */
    public List<String> skipWarnings(Workload workload) {
        SkipList skip = SkipList.of(workload);
        if (skip.rules().isEmpty()) {
            return List.of();
        }
        List<String> unknown = skip.rules().stream()
                .filter(name -> !name.equals(SkipList.ALL) && rules.stream().noneMatch(r -> r.name().equals(name)))
                .sorted().toList();
        return unknown.isEmpty() ? List.of()
                : List.of("headstart: " + RuleSet.unknownNamesMessage(Annotations.SKIP, unknown) + "; they skip nothing");
    }

    /** Every rule's verdict on the workload, as validating mode and PolicyReports need it. */
    public List<RuleResult> evaluate(Workload workload) {
        SkipList skip = SkipList.of(workload);
        List<RuleResult> results = new ArrayList<>(rules.size());
        for (Rule rule : rules) {
            if (disabled.contains(rule.name()) || !safeAppliesTo(rule, workload)) {
                continue;
            }
            if (skip.skips(rule.name())) {
                results.add(RuleResult.skip(rule));
                continue;
            }
            try {
                List<Finding> findings = rule.check(workload);
                results.add(findings.isEmpty() ? RuleResult.pass(rule)
                        : new RuleResult(rule, RuleStatus.FAIL, findings, null));
            } catch (RuntimeException e) {
                onRuleError.accept(rule.name(), e);
                results.add(new RuleResult(rule, RuleStatus.ERROR, List.of(), OneLine.of(e)));
            }
        }
        return results;
    }

    /** The workload with every gap filled, and the patch that gets there from the received object. */
    public Mutation mutate(Workload received) {
        List<String> notes = skipWarnings(received);
        List<String> failed = new ArrayList<>();
        List<Rule> pending = new ArrayList<>();
        for (RuleResult result : evaluate(received)) {
            if (result.status() == RuleStatus.FAIL) {
                pending.add(result.rule());
            } else if (result.status() == RuleStatus.ERROR) {
                failed.add(result.rule().name());
            }
        }
        while (true) {
            if (pending.isEmpty()) {
                return unchanged(received, notes, failed);
            }
            // Each stage works on a copy of the previous one and contributes the diff of its own
            // changes. Rules that change the tree in place share a stage (one copy, one diff); a
            // rule that inserts array elements gets a stage of its own, so its diff stays one add
            // even when another rule also changed the element that now follows it.
            ObjectNode current = received.root();
            ObjectNode stageStart = null; // the tree before the latest stage; its diff is taken last
            ArrayNode patch = current.arrayNode();
            Warnings warnings = new Warnings(notes);
            List<String> applied = new ArrayList<>();
            Rule thrower = null;
            for (int start = 0, end; start < pending.size() && thrower == null; start = end) {
                end = stageEnd(pending, start);
                ObjectNode next = current.deepCopy();
                boolean changed = false;
                for (Rule rule : pending.subList(start, end)) {
                    try {
                        if (rule.mutate(received.over(next), warnings)) {
                            applied.add(rule.name());
                            changed = true;
                        }
                    } catch (RuntimeException e) {
                        onRuleError.accept(rule.name(), e);
                        thrower = rule;
                        break;
                    }
                }
                if (changed && thrower == null) {
                    if (stageStart != null) {
                        patch.addAll((ArrayNode) JsonDiff.asJson(stageStart, current, DIFF_FLAGS));
                    }
                    stageStart = current;
                    current = next;
                }
            }
            if (thrower != null) {
                // Start again from the received object without the rule, so nothing it half-did stays.
                pending.remove(thrower);
                failed.add(thrower.name());
                continue;
            }
            if (applied.isEmpty()) {
                return unchanged(received, warnings.messages(), failed);
            }
            // The annotation lives under metadata, apart from every rule's changes: it rides in the
            // last stage instead of costing a copy and a diff of its own.
            recordApplied(received.over(current), applied);
            patch.addAll((ArrayNode) JsonDiff.asJson(stageStart, current, DIFF_FLAGS));
            return new Mutation(patch, current, List.copyOf(applied), withFailures(warnings.messages(), failed),
                    List.copyOf(failed));
        }
    }

    /** The end (exclusive) of the stage that starts at {@code start}. */
    private static int stageEnd(List<Rule> pending, int start) {
        int end = start + 1;
        if (pending.get(start).insertsArrayElements()) {
            return end;
        }
        while (end < pending.size() && !pending.get(end).insertsArrayElements()) {
            end++;
        }
        return end;
    }

    private static Mutation unchanged(Workload received, List<String> warnings, List<String> failed) {
        return new Mutation(null, received.root(), List.of(), withFailures(warnings, failed), List.copyOf(failed));
    }

    private static List<String> withFailures(List<String> warnings, List<String> failed) {
        List<String> all = new ArrayList<>(warnings);
        failed.forEach(rule -> all.add("headstart: " + rule + ": rule failed and was skipped"));
        return List.copyOf(all);
    }

    /** Adds the applied rules to the object's annotation, keeping names recorded earlier. */
    private static void recordApplied(Workload workload, List<String> applied) {
        ObjectNode annotations = Workload.objectAt(workload.metadata(), "annotations");
        Set<String> names = new LinkedHashSet<>();
        String before = annotations.path(Annotations.APPLIED).asText("");
        for (String name : before.split(",")) {
            if (!name.isBlank()) {
                names.add(name.trim());
            }
        }
        names.addAll(applied);
        annotations.put(Annotations.APPLIED, String.join(",", names));
    }

    private boolean safeAppliesTo(Rule rule, Workload workload) {
        try {
            return rule.appliesTo(workload);
        } catch (RuntimeException e) {
            onRuleError.accept(rule.name(), e);
            return false;
        }
    }
}
