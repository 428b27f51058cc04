package dev.headstart.imagecache;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.headstart.json.Json;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Where a workload's pods can run, as far as static constraints say: its {@code nodeSelector},
 * required node affinity (and {@code nodeName}), its tolerations of {@code NoSchedule} and
 * {@code NoExecute} taints, and, where the image's platform is known, {@code kubernetes.io/arch}.
 * Canonical: two templates that say the same in another order or spelling (operator left empty,
 * values reordered, {@code tolerationSeconds}) have equal placements and the same {@link #id()}.
 *
 * <p>{@code cacheTolerations} are what cache pods tolerate besides (the warm-up taint); they do not
 * take part in {@link #admits} nor in the id.
 */
public record Placement(SortedMap<String, String> nodeSelector, List<NodeSelectorTerm> requiredTerms,
                        List<Toleration> tolerations, SortedSet<String> architectures,
                        List<Toleration> cacheTolerations) {

    static final String LINUX = "linux";
    private static final Comparator<Toleration> TOLERATION_ORDER = Comparator
            .comparing((Toleration t) -> Objects.toString(t.getKey(), ""))
            .thenComparing(t -> Objects.toString(t.getOperator(), ""))
            .thenComparing(t -> Objects.toString(t.getValue(), ""))
            .thenComparing(t -> Objects.toString(t.getEffect(), ""));

    public Placement {
        nodeSelector = Collections.unmodifiableSortedMap(new TreeMap<>(nodeSelector == null ? Map.of() : nodeSelector));
        requiredTerms = canonicalTerms(requiredTerms);
        tolerations = canonicalTolerations(tolerations);
        architectures = Collections.unmodifiableSortedSet(new TreeSet<>(architectures == null ? Set.of() : architectures));
        cacheTolerations = cacheTolerations == null ? List.of()
                : cacheTolerations.stream().filter(Objects::nonNull).map(Placement::canonical).distinct()
                        .sorted(TOLERATION_ORDER).toList();
    }

    /**
     * The placement of a pod spec whose images run on {@code architectures} (empty: any), or empty
     * when no Linux node can ever take it: required affinity whose every term is empty (matches
     * nothing), or a {@code nodeSelector} naming another OS (cache pods run a Linux no-op).
     */
    public static Optional<Placement> of(PodSpec spec, Set<String> architectures, CachePolicy policy) {
        Map<String, String> selector = spec.getNodeSelector() == null ? Map.of() : spec.getNodeSelector();
        String os = selector.get(NodeFacts.OS_LABEL);
        if (os != null && !os.equals(LINUX)) {
            return Optional.empty();
        }
        List<NodeSelectorTerm> terms = new ArrayList<>();
        boolean requiredAffinity = spec.getAffinity() != null && spec.getAffinity().getNodeAffinity() != null
                && spec.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() != null;
        if (requiredAffinity) {
            List<NodeSelectorTerm> given = spec.getAffinity().getNodeAffinity()
                    .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
            for (NodeSelectorTerm term : given == null ? List.<NodeSelectorTerm>of() : given) {
                if (term != null && !NodeSelectorMatch.isEmpty(term)) {
                    terms.add(term);
                }
            }
            if (terms.isEmpty()) {
                return Optional.empty();
            }
        }
        String nodeName = spec.getNodeName();
        if (nodeName != null && !nodeName.isBlank()) {
            NodeSelectorRequirement pinned = new NodeSelectorRequirementBuilder()
                    .withKey(NodeSelectorMatch.NAME_FIELD).withOperator("In").withValues(nodeName).build();
            if (terms.isEmpty()) {
                terms.add(new NodeSelectorTermBuilder().withMatchFields(pinned).build());
            } else {
                terms = terms.stream().map(t -> new NodeSelectorTermBuilder(t).addToMatchFields(pinned).build()).toList();
            }
        }
        return Optional.of(new Placement(new TreeMap<>(selector), terms, spec.getTolerations(),
                new TreeSet<>(architectures), policy.cacheTolerations()));
    }

    /**
     * Whether a pod of this placement could be scheduled on the node: a Linux node whose labels
     * satisfy the nodeSelector and one affinity term, whose architecture is one of the image's
     * (when known), and whose every NoSchedule/NoExecute taint is tolerated or transient.
     */
    public boolean admits(NodeFacts node, CachePolicy policy) {
        if (!LINUX.equals(node.os())) {
            return false;
        }
        for (Map.Entry<String, String> entry : nodeSelector.entrySet()) {
            if (!entry.getValue().equals(node.labels().get(entry.getKey()))) {
                return false;
            }
        }
        if (!requiredTerms.isEmpty() && !NodeSelectorMatch.matches(requiredTerms, node)) {
            return false;
        }
        if (!architectures.isEmpty() && !architectures.contains(node.arch())) {
            return false;
        }
        for (Taint taint : node.taints()) {
            if (TaintToleration.repels(taint) && !policy.transientTaint(taint.getKey())
                    && !TaintToleration.tolerated(tolerations, taint)) {
                return false;
            }
        }
        return true;
    }

    /** A short hash of the canonical constraints (cache tolerations left out). */
    public String id() {
        return ContentHash.of(canonicalText());
    }

    /** The constraints as canonical JSON: what {@link #id()} hashes. */
    public String canonicalText() {
        Map<String, Object> canonical = new LinkedHashMap<>();
        canonical.put("nodeSelector", nodeSelector);
        canonical.put("terms", requiredTerms.stream().map(Placement::termText).toList());
        canonical.put("tolerations", tolerations.stream().map(Placement::tolerationText).toList());
        canonical.put("arch", architectures);
        try {
            return Json.MAPPER.writeValueAsString(canonical);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The pod's nodeSelector: the workload's, and Linux (the no-op is a Linux binary). */
    public Map<String, String> podNodeSelector() {
        TreeMap<String, String> selector = new TreeMap<>(nodeSelector);
        selector.put(NodeFacts.OS_LABEL, LINUX);
        return Collections.unmodifiableMap(selector);
    }

    /**
     * The required node affinity for a pod of this placement kept off {@code excludedNodes}: every
     * term gets the architecture requirement and one {@code metadata.name NotIn [node]} per excluded
     * node (the API server takes exactly one value per field requirement:
     * {@code validateNodeFieldSelectorRequirement} in {@code pkg/apis/core/validation/validation.go}).
     * Null when there is nothing to require.
     */
    public Affinity podAffinity(List<String> excludedNodes) {
        List<NodeSelectorTerm> terms = requiredTerms.isEmpty() ? List.of(new NodeSelectorTerm()) : requiredTerms;
        List<NodeSelectorTerm> result = new ArrayList<>();
        for (NodeSelectorTerm term : terms) {
            NodeSelectorTermBuilder builder = new NodeSelectorTermBuilder(term);
            if (!architectures.isEmpty()) {
                builder.addToMatchExpressions(new NodeSelectorRequirementBuilder()
                        .withKey(NodeFacts.ARCH_LABEL).withOperator("In").withValues(List.copyOf(architectures)).build());
            }
            for (String node : excludedNodes) {
                builder.addToMatchFields(new NodeSelectorRequirementBuilder()
                        .withKey(NodeSelectorMatch.NAME_FIELD).withOperator("NotIn").withValues(node).build());
            }
            result.add(builder.build());
        }
        if (result.size() == 1 && NodeSelectorMatch.isEmpty(result.get(0))) {
            return null;
        }
        return new AffinityBuilder().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withNodeSelectorTerms(result).endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity()
                .build();
    }

    /** The pod's tolerations: the workload's and the cache's own, canonical. */
    public List<Toleration> podTolerations() {
        List<Toleration> all = new ArrayList<>(tolerations);
        all.addAll(cacheTolerations);
        return canonicalTolerations(all);
    }

    /** The constraints in words, for people: {@code any Linux node} when there are none. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (!nodeSelector.isEmpty()) {
            parts.add("nodeSelector " + nodeSelector.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(", ")));
        }
        if (!requiredTerms.isEmpty()) {
            parts.add("affinity " + requiredTerms.stream().map(Placement::termWords)
                    .map(t -> requiredTerms.size() > 1 ? "(" + t + ")" : t).collect(Collectors.joining(" or ")));
        }
        if (!tolerations.isEmpty()) {
            parts.add("tolerates " + tolerations.stream().map(Placement::tolerationWords).collect(Collectors.joining(", ")));
        }
        if (!architectures.isEmpty()) {
            parts.add("arch " + String.join(", ", architectures));
        }
        return parts.isEmpty() ? "any Linux node" : String.join("; ", parts);
    }

    /** Copy without tolerationSeconds (cache pods stay), empty strings as absent, Equal spelled out. */
    static Toleration canonical(Toleration t) {
        String operator = t.getOperator() == null || t.getOperator().isEmpty() ? "Equal" : t.getOperator();
        return new TolerationBuilder()
                .withKey(emptyToNull(t.getKey()))
                .withOperator(operator)
                .withValue(operator.equals("Exists") ? null : emptyToNull(t.getValue()))
                .withEffect(emptyToNull(t.getEffect()))
                .build();
    }

    /**
     * Tolerations that can matter for placement (effect empty, NoSchedule or NoExecute), canonical,
     * sorted, without duplicates; one that tolerates everything stands alone.
     */
    static List<Toleration> canonicalTolerations(List<Toleration> given) {
        if (given == null) {
            return List.of();
        }
        List<Toleration> kept = given.stream().filter(Objects::nonNull)
                .filter(t -> t.getEffect() == null || t.getEffect().isEmpty()
                        || TaintToleration.NO_SCHEDULE.equals(t.getEffect()) || TaintToleration.NO_EXECUTE.equals(t.getEffect()))
                .map(Placement::canonical).distinct().sorted(TOLERATION_ORDER).toList();
        return kept.stream().filter(Placement::toleratesEverything).findFirst().map(List::of).orElse(kept);
    }

    private static boolean toleratesEverything(Toleration t) {
        return t.getKey() == null && "Exists".equals(t.getOperator()) && t.getEffect() == null;
    }

    private static List<NodeSelectorTerm> canonicalTerms(List<NodeSelectorTerm> given) {
        if (given == null) {
            return List.of();
        }
        TreeMap<String, NodeSelectorTerm> byText = new TreeMap<>();
        for (NodeSelectorTerm term : given) {
            if (term == null || NodeSelectorMatch.isEmpty(term)) {
                continue;
            }
            NodeSelectorTerm canonical = new NodeSelectorTermBuilder()
                    .withMatchExpressions(canonicalRequirements(term.getMatchExpressions()))
                    .withMatchFields(canonicalRequirements(term.getMatchFields()))
                    .build();
            byText.put(termText(canonical), canonical);
        }
        return List.copyOf(byText.values());
    }

    private static List<NodeSelectorRequirement> canonicalRequirements(List<NodeSelectorRequirement> given) {
        if (given == null) {
            return List.of();
        }
        TreeMap<String, NodeSelectorRequirement> byText = new TreeMap<>();
        for (NodeSelectorRequirement r : given) {
            if (r == null) {
                continue;
            }
            boolean set = "In".equals(r.getOperator()) || "NotIn".equals(r.getOperator());
            List<String> values = r.getValues() == null ? List.of()
                    : set ? r.getValues().stream().filter(Objects::nonNull).distinct().sorted().toList()
                    : List.copyOf(r.getValues().stream().filter(Objects::nonNull).toList());
            NodeSelectorRequirement canonical = new NodeSelectorRequirementBuilder()
                    .withKey(r.getKey()).withOperator(r.getOperator()).withValues(values).build();
            byText.put(requirementText(canonical), canonical);
        }
        return List.copyOf(byText.values());
    }

    private static String requirementText(NodeSelectorRequirement r) {
        return r.getKey() + " " + r.getOperator() + " " + r.getValues();
    }

    private static String termText(NodeSelectorTerm term) {
        return "expressions " + term.getMatchExpressions().stream().map(Placement::requirementText).toList()
                + " fields " + term.getMatchFields().stream().map(Placement::requirementText).toList();
    }

    private static String tolerationText(Toleration t) {
        return Objects.toString(t.getKey(), "") + " " + t.getOperator() + " " + Objects.toString(t.getValue(), "")
                + " " + Objects.toString(t.getEffect(), "");
    }

    private static String termWords(NodeSelectorTerm term) {
        List<String> words = new ArrayList<>();
        for (NodeSelectorRequirement r : term.getMatchExpressions()) {
            words.add(switch (r.getOperator()) {
                case "In" -> r.getKey() + " in [" + String.join(", ", r.getValues()) + "]";
                case "NotIn" -> r.getKey() + " not in [" + String.join(", ", r.getValues()) + "]";
                case "Exists" -> r.getKey() + " set";
                case "DoesNotExist" -> r.getKey() + " not set";
                case "Gt" -> r.getKey() + " > " + String.join(", ", r.getValues());
                case "Lt" -> r.getKey() + " < " + String.join(", ", r.getValues());
                default -> r.getKey() + " " + r.getOperator() + " " + r.getValues();
            });
        }
        for (NodeSelectorRequirement r : term.getMatchFields()) {
            words.add("node " + ("In".equals(r.getOperator()) ? "is " : "is not ") + String.join(", ", r.getValues()));
        }
        return String.join(" and ", words);
    }

    private static String tolerationWords(Toleration t) {
        String what = t.getKey() == null ? "every taint"
                : "Exists".equals(t.getOperator()) ? t.getKey()
                : "Equal".equals(t.getOperator()) ? t.getKey() + "=" + Objects.toString(t.getValue(), "")
                : t.getKey() + " " + t.getOperator() + " " + Objects.toString(t.getValue(), "");
        return what + (t.getEffect() == null ? "" : ":" + t.getEffect());
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
