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

    /** Where kubectl's client-side apply keeps the manifest it last applied. */
    private static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

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
            recordOwned(received, received.over(current));
            patch.addAll((ArrayNode) JsonDiff.asJson(stageStart, current, DIFF_FLAGS));
            return new Mutation(patch, current, List.copyOf(applied), withFailures(warnings.messages(), failed),
                    List.copyOf(failed));
        }
    }

    /**
     * An UPDATE: the workload as received and as stored. Headstart's fields are recomputed from what
     * the owner asks for now, never carried over blindly (see {@link OwnedFields}):
     * <ul>
     * <li>the owner's view of each object is the object with every field Headstart recorded, and
     *     that still holds what Headstart wrote, put back to the owner's value;</li>
     * <li>when the owner's view of the pod template (and the object's {@code headstart.dev/skip})
     *     is the same before and after, the owner asked for no template change: a re-apply, a label
     *     on the object, an update-strategy change. The stored template comes back exactly, so the
     *     template hash stays and no pod is replaced; an unchanged template gets no patch at all;</li>
     * <li>otherwise the rules run on the owner's view as on a CREATE, so everything Headstart adds
     *     follows the owner's current probes, and whatever the owner now sets is theirs.</li>
     * </ul>
     * Pods (whose spec cannot change) and objects without a stored version are mutated as on CREATE.
     */
    public Mutation mutate(Workload received, Workload stored) {
        if (stored == null || received.isPod() || stored.kind() != received.kind()
                || received.template() == null || stored.template() == null) {
            return mutate(received);
        }
        try {
            return update(received, stored);
        } catch (RuntimeException e) {
            // Leaving the object as sent can start no rollout Headstart caused; guessing could.
            onRuleError.accept("update", e);
            return unchanged(received, List.of("headstart: the update could not be compared with the stored object ("
                    + OneLine.of(e) + "); left as sent"), List.of());
        }
    }

    private Mutation update(Workload received, Workload stored) {
        OwnedFields storedRecord = OwnedFields.read(stored.podMetadataView()).orElse(OwnedFields.none());
        // A server-side re-apply drops the record with the rest of Headstart's additions; the stored one holds.
        OwnedFields receivedRecord = OwnedFields.read(received.podMetadataView()).orElse(storedRecord);
        Workload ownerNow = ownerView(received, receivedRecord);
        Workload ownerBefore = ownerView(stored, storedRecord);
        if (sameIntent(ownerNow, ownerBefore)) {
            ObjectNode target = received.root().deepCopy();
            Workload restored = received.over(target);
            restored.replaceTemplate(stored.template().deepCopy());
            String applied = stored.root().path("metadata").path("annotations").path(Annotations.APPLIED).asText("");
            if (!applied.isEmpty() && !target.path("metadata").path("annotations").has(Annotations.APPLIED)) {
                Workload.objectAt(restored.metadata(), "annotations").put(Annotations.APPLIED, applied);
            }
            return toward(received, target, List.of(), skipWarnings(received), List.of());
        }
        Mutation fresh = mutate(ownerNow);
        ObjectNode target = fresh.mutated();
        boolean hadRecord = received.podMetadataView().path("annotations").has(Annotations.OWNED)
                || stored.podMetadataView().path("annotations").has(Annotations.OWNED);
        if (hadRecord && !received.over(target).podMetadataView().path("annotations").has(Annotations.OWNED)) {
            // An empty record says "Headstart owns nothing here now", so a reinvocation with this
            // output does not fall back to the stored record.
            OwnedFields.none().write(received.over(target).podMetadata());
        }
        return toward(received, target, fresh.applied(), fresh.warnings(), fresh.failed());
    }

    /** A copy of the workload as its owner wrote it: Headstart's recorded fields put back, the record removed. */
    private static Workload ownerView(Workload workload, OwnedFields record) {
        ObjectNode copy = workload.root().deepCopy();
        Workload view = workload.over(copy);
        ObjectNode spec = view.podSpec();
        if (spec != null) {
            record.strip(spec, declaredPodSpec(workload));
        }
        if (view.podMetadataView().path("annotations") instanceof ObjectNode annotations) {
            annotations.remove(Annotations.OWNED);
        }
        return view;
    }

    /** The pod spec of the object's client-side-apply record (the owner's last manifest), or null. */
    private static JsonNode declaredPodSpec(Workload workload) {
        JsonNode text = workload.root().path("metadata").path("annotations").get(LAST_APPLIED);
        if (text == null || !text.isTextual()) {
            return null;
        }
        try {
            return Workload.of(dev.headstart.json.Json.MAPPER.readTree(text.asText()))
                    .filter(w -> w.kind() == workload.kind()).map(Workload::podSpec).orElse(null);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return null;
        }
    }

    /** Whether the owner asks for the same pod template (and the same opt-outs) in both. */
    private static boolean sameIntent(Workload now, Workload before) {
        return normalised(now.template()).equals(normalised(before.template()))
                && now.root().path("metadata").path("annotations").path(Annotations.SKIP)
                .equals(before.root().path("metadata").path("annotations").path(Annotations.SKIP));
    }

    /** The template with empty annotations and metadata left out (a re-apply may drop what only held the record). */
    private static ObjectNode normalised(ObjectNode template) {
        ObjectNode copy = template.deepCopy();
        if (copy.get("metadata") instanceof ObjectNode metadata) {
            if (metadata.get("annotations") instanceof ObjectNode a && a.isEmpty()) {
                metadata.remove("annotations");
            }
            if (metadata.isEmpty()) {
                copy.remove("metadata");
            }
        }
        return copy;
    }

    /** The mutation that turns the received object into {@code target}, in one diff. */
    private static Mutation toward(Workload received, ObjectNode target, List<String> applied, List<String> warnings,
            List<String> failed) {
        JsonNode patch = JsonDiff.asJson(received.root(), target, DIFF_FLAGS);
        if (patch.isEmpty()) {
            return new Mutation(null, received.root(), List.of(), warnings, failed);
        }
        return new Mutation(patch, target, List.copyOf(applied), warnings, failed);
    }

    /** Adds what the rules changed in the pod spec to the record on the pod (or its template). */
    private static void recordOwned(Workload received, Workload mutated) {
        ObjectNode before = received.podSpec();
        ObjectNode after = mutated.podSpec();
        if (before == null || after == null) {
            return;
        }
        OwnedFields changes = OwnedFields.between(before, after);
        if (changes.isEmpty()) {
            return;
        }
        OwnedFields earlier = OwnedFields.read(received.podMetadataView()).orElse(OwnedFields.none());
        earlier.plus(changes).write(mutated.podMetadata());
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
