package dev.headstart.imagecache;

import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;

import java.util.List;
import java.util.Map;

/**
 * Required node affinity as the scheduler matches it
 * ({@code staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go}):
 * terms are ORed, a term's requirements ANDed; a term with neither {@code matchExpressions} nor
 * {@code matchFields} matches nothing, so an empty list of terms matches no node. A term that would
 * not parse (an unknown operator, {@code In} without values, {@code Gt} with a value that is not an
 * integer, a field other than {@code metadata.name}, a field requirement without exactly one value)
 * matches nothing either, while the other terms still count. Label operators follow
 * {@code labels.Requirement.Matches} ({@code staging/src/k8s.io/apimachinery/pkg/labels/selector.go}).
 */
public final class NodeSelectorMatch {

    static final String NAME_FIELD = "metadata.name";

    private NodeSelectorMatch() {
    }

    public static boolean matches(List<NodeSelectorTerm> terms, NodeFacts node) {
        return terms.stream().anyMatch(term -> termMatches(term, node));
    }

    public static boolean isEmpty(NodeSelectorTerm term) {
        return list(term.getMatchExpressions()).isEmpty() && list(term.getMatchFields()).isEmpty();
    }

    static boolean termMatches(NodeSelectorTerm term, NodeFacts node) {
        if (term == null || isEmpty(term)) {
            return false;
        }
        for (NodeSelectorRequirement requirement : list(term.getMatchExpressions())) {
            if (!valid(requirement) || !labelMatches(requirement, node.labels())) {
                return false;
            }
        }
        for (NodeSelectorRequirement requirement : list(term.getMatchFields())) {
            if (!fieldValid(requirement)) {
                return false;
            }
            // nodeaffinity.go skips fields for a node without a name; every real node has one
            if (!node.name().isEmpty() && !fieldMatches(requirement, node.name())) {
                return false;
            }
        }
        return true;
    }

    /** {@code labels.NewRequirement}'s checks on operator and values. */
    public static boolean valid(NodeSelectorRequirement requirement) {
        List<String> values = list(requirement.getValues());
        return switch (String.valueOf(requirement.getOperator())) {
            case "In", "NotIn" -> !values.isEmpty();
            case "Exists", "DoesNotExist" -> values.isEmpty();
            case "Gt", "Lt" -> values.size() == 1 && parses(values.get(0));
            default -> false;
        };
    }

    static boolean labelMatches(NodeSelectorRequirement requirement, Map<String, String> labels) {
        String key = requirement.getKey();
        boolean has = key != null && labels.containsKey(key);
        String value = has ? labels.get(key) : null;
        List<String> values = list(requirement.getValues());
        return switch (String.valueOf(requirement.getOperator())) {
            case "In" -> has && values.contains(value);
            case "NotIn" -> !has || !values.contains(value);
            case "Exists" -> has;
            case "DoesNotExist" -> !has;
            case "Gt", "Lt" -> has && parses(value) && values.size() == 1 && parses(values.get(0))
                    && (requirement.getOperator().equals("Gt")
                            ? Long.parseLong(value) > Long.parseLong(values.get(0))
                            : Long.parseLong(value) < Long.parseLong(values.get(0)));
            default -> false;
        };
    }

    /** {@code nodeSelectorRequirementsAsFieldSelector}: In or NotIn, exactly one value, on metadata.name. */
    public static boolean fieldValid(NodeSelectorRequirement requirement) {
        String operator = String.valueOf(requirement.getOperator());
        return NAME_FIELD.equals(requirement.getKey()) && (operator.equals("In") || operator.equals("NotIn"))
                && list(requirement.getValues()).size() == 1;
    }

    static boolean fieldMatches(NodeSelectorRequirement requirement, String nodeName) {
        boolean equal = nodeName.equals(requirement.getValues().get(0));
        return requirement.getOperator().equals("In") == equal;
    }

    private static boolean parses(String value) {
        if (value == null) {
            return false;
        }
        try {
            Long.parseLong(value);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static <T> List<T> list(List<T> maybe) {
        return maybe == null ? List.of() : maybe;
    }
}
