package dev.headstart.scale;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code labelSelector} and {@code fieldSelector} of a list or watch, as the API server reads them:
 * label terms {@code k=v}, {@code k==v}, {@code k!=v}, {@code k}, {@code !k}, {@code k in (a,b)},
 * {@code k notin (a,b)}; field terms on {@code metadata.name}, {@code metadata.namespace} and
 * {@code spec.nodeName} (any other field is refused, as the real server refuses unsupported ones).
 */
final class Selector {

    private Selector() {
    }

    static Predicate<ObjectStore.Stored> labels(String selector) {
        if (selector == null || selector.isBlank()) {
            return o -> true;
        }
        List<Predicate<ObjectStore.Stored>> terms = new ArrayList<>();
        for (String term : splitTerms(selector)) {
            terms.add(labelTerm(term.trim()));
        }
        return o -> terms.stream().allMatch(t -> t.test(o));
    }

    static Predicate<ObjectStore.Stored> fields(String selector) {
        if (selector == null || selector.isBlank()) {
            return o -> true;
        }
        List<Predicate<ObjectStore.Stored>> terms = new ArrayList<>();
        for (String term : selector.split(",")) {
            boolean negated = term.contains("!=");
            String[] kv = term.split(negated ? "!=" : "==?", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("invalid field selector term: " + term);
            }
            String field = kv[0].trim();
            String value = kv[1].trim();
            java.util.function.Function<ObjectStore.Stored, String> read = switch (field) {
                case "metadata.name" -> ObjectStore.Stored::name;
                case "metadata.namespace" -> ObjectStore.Stored::namespace;
                case "spec.nodeName" -> ObjectStore.Stored::nodeName;
                default -> throw new IllegalArgumentException("field label not supported: " + field);
            };
            terms.add(o -> negated != value.equals(String.valueOf(read.apply(o))));
        }
        return o -> terms.stream().allMatch(t -> t.test(o));
    }

    private static Predicate<ObjectStore.Stored> labelTerm(String term) {
        String lower = term.replaceAll("\\s+", " ");
        int in = lower.indexOf(" in ");
        int notin = lower.indexOf(" notin ");
        if (notin > 0 || in > 0) {
            boolean negated = notin > 0;
            String key = lower.substring(0, negated ? notin : in).trim();
            String list = lower.substring(lower.indexOf('(') + 1, lower.lastIndexOf(')'));
            Set<String> values = Set.of(list.replace(" ", "").split(","));
            return o -> {
                String v = o.labels().get(key);
                return negated ? v == null || !values.contains(v) : v != null && values.contains(v);
            };
        }
        if (term.contains("!=")) {
            String[] kv = term.split("!=", 2);
            return o -> !kv[1].trim().equals(o.labels().get(kv[0].trim()));
        }
        if (term.contains("=")) {
            String[] kv = term.split("==?", 2);
            return o -> kv[1].trim().equals(o.labels().get(kv[0].trim()));
        }
        if (term.startsWith("!")) {
            String key = term.substring(1).trim();
            return o -> !o.labels().containsKey(key);
        }
        return o -> o.labels().containsKey(term);
    }

    /** Splits on commas outside parentheses. */
    private static List<String> splitTerms(String selector) {
        List<String> terms = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < selector.length(); i++) {
            char c = selector.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                terms.add(selector.substring(start, i));
                start = i + 1;
            }
        }
        terms.add(selector.substring(start));
        return terms;
    }
}
