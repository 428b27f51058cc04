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

import java.math.BigDecimal;
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
 * {@code NoExecute} taints, what one pod requests ({@link PodRequests}: it must fit the node's
 * allocatable), whether the node may be cordoned, and, where the image's platform is known,
 * {@code kubernetes.io/arch}. The spec it is made from has its RuntimeClass's scheduling merged in
 * already ({@link RuntimeClassScheduling}).
 * Canonical: two templates that say the same in another order or spelling (operator left empty,
 * values reordered, {@code tolerationSeconds}) have equal placements and the same {@link #id()}.
 *
 * <p>{@code cacheTolerations} are what cache pods tolerate besides (the warm-up taint); they do not
 * take part in {@link #admits} nor in the id.
 */
public record Placement(SortedMap<String, String> nodeSelector, List<NodeSelectorTerm> requiredTerms,
                        List<Toleration> tolerations, SortedSet<String> architectures,
                        SortedMap<String, BigDecimal> requests, boolean pinned,
                        List<Toleration> cacheTolerations) {

    static final String LINUX = "linux";
    private static final String NO = "no";
    /** What the NodeUnschedulable filter asks a pod to tolerate on a cordoned node. */
    private static final Taint UNSCHEDULABLE = new io.fabric8.kubernetes.api.model.TaintBuilder()
            .withKey("node.kubernetes.io/unschedulable").withEffect(TaintToleration.NO_SCHEDULE).build();
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
        requests = Collections.unmodifiableSortedMap(new TreeMap<>(requests == null ? Map.of() : requests));
        cacheTolerations = cacheTolerations == null ? List.of()
                : cacheTolerations.stream().filter(Objects::nonNull).map(Placement::canonical).distinct()
                        .sorted(TOLERATION_ORDER).toList();
    }

    /**
     * The placement of a pod spec whose images run on {@code architectures} (empty: any), or empty
     * when no Linux node can ever take it: required affinity whose every term is empty (matches
     * nothing), a {@code nodeSelector} naming another OS, or {@code spec.os.name} another OS (the
     * kubelet refuses such pods on Linux nodes, {@code rejectPodAdmissionBasedOnOSField} in
     * {@code pkg/kubelet/lifecycle/predicate.go}; and cache pods run a Linux no-op).
     */
    public static Optional<Placement> of(PodSpec spec, Set<String> architectures, CachePolicy policy) {
        Map<String, String> selector = spec.getNodeSelector() == null ? Map.of() : spec.getNodeSelector();
        String os = selector.get(NodeFacts.OS_LABEL);
        if (os != null && !os.equals(LINUX)) {
            return Optional.empty();
        }
        if (!LINUX.equals(osName(spec))) {
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
        boolean pinned = nodeName != null && !nodeName.isBlank();
        return Optional.of(new Placement(new TreeMap<>(selector), terms, spec.getTolerations(),
                new TreeSet<>(architectures), PodRequests.of(spec, spec.getOverhead()), pinned,
                policy.cacheTolerations()));
    }

    /** {@code spec.os.name}, {@code linux} when not set (the kubelet then checks nothing). */
    static String osName(PodSpec spec) {
        return spec.getOs() == null || spec.getOs().getName() == null || spec.getOs().getName().isBlank()
                ? LINUX : spec.getOs().getName().trim();
    }

    /**
     * Whether a pod of this placement could run on the node: {@link #refusal} finds nothing.
     */
    public boolean admits(NodeFacts node, CachePolicy policy) {
        return check(node, policy, false) == null;
    }

    /**
     * Why a pod of this placement could not run on the node, or null when it could: a Linux node
     * whose labels satisfy the nodeSelector and one affinity term, whose architecture is one of the
     * image's (when known), whose allocatable holds one pod's requests ({@code fitsRequest},
     * {@code noderesources/fit.go}), that is not cordoned unless the pod tolerates
     * {@code node.kubernetes.io/unschedulable} ({@code nodeunschedulable/node_unschedulable.go}), and
     * whose every NoSchedule/NoExecute taint is tolerated or transient. A pod pinned with
     * {@code nodeName} skips the scheduler: the kubelet admits it on a cordoned node and checks only
     * NoExecute taints ({@code pkg/kubelet/lifecycle/predicate.go}), resources and affinity still count.
     */
    public String refusal(NodeFacts node, CachePolicy policy) {
        return check(node, policy, true);
    }

    /** The refusal, in words when {@code explain} (else a fixed word: the planner asks per node and group). */
    private String check(NodeFacts node, CachePolicy policy, boolean explain) {
        if (!explain) {
            return quickCheck(node, policy);
        }
        if (!LINUX.equals(node.os())) {
            return node.os().isEmpty() ? "no kubernetes.io/os label" : "OS " + node.os() + " (cache pods are Linux)";
        }
        for (Map.Entry<String, String> entry : nodeSelector.entrySet()) {
            if (!entry.getValue().equals(node.labels().get(entry.getKey()))) {
                return "nodeSelector " + entry.getKey() + "=" + entry.getValue() + " not matched";
            }
        }
        if (!requiredTerms.isEmpty() && !NodeSelectorMatch.matches(requiredTerms, node)) {
            List<String> pinnedTo = pinned ? pinnedNames() : List.of();
            return !pinnedTo.isEmpty() && !pinnedTo.contains(node.name())
                    ? "spec.nodeName is " + String.join(", ", pinnedTo) : "node affinity not matched";
        }
        if (!architectures.isEmpty() && !architectures.contains(node.arch())) {
            return "arch " + (node.arch().isEmpty() ? "unknown" : node.arch()) + " (image: " + String.join(", ", architectures) + ")";
        }
        List<String> lacking = PodRequests.insufficient(requests, node);
        if (!lacking.isEmpty()) {
            return "insufficient " + String.join(", ", lacking) + " (pod requests "
                    + lacking.stream().map(r -> r + " " + requests.get(r).toPlainString()).collect(Collectors.joining(", "))
                    + ", allocatable " + lacking.stream().map(r -> r + " " + node.allocatable().getOrDefault(r, BigDecimal.ZERO).toPlainString())
                            .collect(Collectors.joining(", ")) + ")";
        }
        if (!pinned && node.unschedulable() && !TaintToleration.tolerated(tolerations, UNSCHEDULABLE)) {
            return "cordoned";
        }
        for (Taint taint : node.taints()) {
            boolean counts = pinned ? TaintToleration.NO_EXECUTE.equals(taint.getEffect()) : TaintToleration.repels(taint);
            if (counts && !policy.transientTaint(taint.getKey()) && !TaintToleration.tolerated(tolerations, taint)) {
                return "taint " + taint.getKey() + (taint.getValue() == null || taint.getValue().isEmpty() ? "" : "=" + taint.getValue())
                        + ":" + taint.getEffect() + " not tolerated";
            }
        }
        return null;
    }

    /** The node names {@code spec.nodeName} pins to (the {@code metadata.name In} field terms it became). */
    private List<String> pinnedNames() {
        TreeSet<String> names = new TreeSet<>();
        for (NodeSelectorTerm term : requiredTerms) {
            term.getMatchFields().stream().filter(r -> NodeSelectorMatch.NAME_FIELD.equals(r.getKey()) && "In".equals(r.getOperator()))
                    .forEach(r -> names.addAll(r.getValues()));
        }
        return List.copyOf(names);
    }

    private String quickCheck(NodeFacts node, CachePolicy policy) {
        if (!LINUX.equals(node.os())) {
            return NO;
        }
        for (Map.Entry<String, String> entry : nodeSelector.entrySet()) {
            if (!entry.getValue().equals(node.labels().get(entry.getKey()))) {
                return NO;
            }
        }
        if (!requiredTerms.isEmpty() && !NodeSelectorMatch.matches(requiredTerms, node)) {
            return NO;
        }
        if (!architectures.isEmpty() && !architectures.contains(node.arch())) {
            return NO;
        }
        if (!requests.isEmpty() && !node.allocatable().isEmpty()) {
            for (Map.Entry<String, BigDecimal> request : requests.entrySet()) {
                if (request.getValue().compareTo(node.allocatable().getOrDefault(request.getKey(), BigDecimal.ZERO)) > 0) {
                    return NO;
                }
            }
        }
        if (!pinned && node.unschedulable() && !TaintToleration.tolerated(tolerations, UNSCHEDULABLE)) {
            return NO;
        }
        for (Taint taint : node.taints()) {
            boolean counts = pinned ? TaintToleration.NO_EXECUTE.equals(taint.getEffect()) : TaintToleration.repels(taint);
            if (counts && !policy.transientTaint(taint.getKey()) && !TaintToleration.tolerated(tolerations, taint)) {
                return NO;
            }
        }
        return null;
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
        // only when set: placements made before these counted keep their ids (and DaemonSets)
        if (!requests.isEmpty()) {
            canonical.put("requests", requests.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().toPlainString()).toList());
        }
        if (pinned) {
            canonical.put("pinned", true);
        }
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

    /**
     * The pod's tolerations: the workload's and the cache's own, canonical. A pinned workload's pods
     * bypass the scheduler and so ignore NoSchedule taints; its cache pod is scheduled, so it
     * tolerates every NoSchedule taint to land where the workload runs.
     */
    public List<Toleration> podTolerations() {
        List<Toleration> all = new ArrayList<>(tolerations);
        all.addAll(cacheTolerations);
        if (pinned) {
            all.add(new TolerationBuilder().withOperator("Exists").withEffect(TaintToleration.NO_SCHEDULE).build());
        }
        return canonicalTolerations(all);
    }

    /** This placement with other cache tolerations (the plan's transient-taint tolerations). */
    Placement withCacheTolerations(List<Toleration> tolerationsOfCache) {
        return new Placement(nodeSelector, requiredTerms, tolerations, architectures, requests, pinned, tolerationsOfCache);
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
        if (!requests.isEmpty()) {
            parts.add("requests " + requests.entrySet().stream().map(e -> e.getKey() + " " + e.getValue().toPlainString())
                    .collect(Collectors.joining(", ")));
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
