package dev.headstart.cluster;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Kubernetes label-selector semantics over a selector as JSON ({@code matchLabels},
 * {@code matchExpressions}): what the API server selects, for the CLI's install scope and the
 * manifest tests alike (apimachinery {@code pkg/apis/meta/v1/helpers.go},
 * {@code LabelSelectorAsSelector}).
 */
public final class LabelSelector {

    private LabelSelector() {
    }

    /**
     * Whether the labels match. An absent or empty selector selects everything; an operator the
     * API server would reject throws, so nothing is silently admitted or excluded on it.
     */
    public static boolean matches(JsonNode selector, Map<String, String> labels) {
        if (selector == null || selector.isMissingNode() || selector.isNull()) {
            return true;
        }
        for (var entry : selector.path("matchLabels").properties()) {
            if (!entry.getValue().asText().equals(labels.get(entry.getKey()))) {
                return false;
            }
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            String key = expression.path("key").asText();
            Set<String> values = new HashSet<>();
            expression.path("values").forEach(v -> values.add(v.asText()));
            boolean has = labels.containsKey(key);
            boolean ok = switch (expression.path("operator").asText()) {
                case "In" -> has && values.contains(labels.get(key));
                case "NotIn" -> !has || !values.contains(labels.get(key));
                case "Exists" -> has;
                case "DoesNotExist" -> !has;
                default -> throw new IllegalArgumentException("unknown selector operator in " + expression);
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
