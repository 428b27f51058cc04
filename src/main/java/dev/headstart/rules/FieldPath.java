package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A field inside a pod spec, named the way a strategic merge patch matches it: object keys, and
 * list elements by their {@code name} (the merge key of containers, init containers and env), never
 * by index, so a path still points at the same field after a re-apply reordered or grew a list.
 * Written {@code containers[web].readinessProbe.initialDelaySeconds}, {@code initContainers[headstart-api-wait]}.
 */
public record FieldPath(List<Segment> segments) {

    /** One step: a key, optionally followed by the name of the element of the list at that key. */
    public record Segment(String key, String element) {
        @Override
        public String toString() {
            return element == null ? key : key + "[" + element + "]";
        }
    }

    public FieldPath {
        segments = List.copyOf(segments);
    }

    public static FieldPath root() {
        return new FieldPath(List.of());
    }

    public FieldPath key(String key) {
        List<Segment> s = new ArrayList<>(segments);
        s.add(new Segment(key, null));
        return new FieldPath(s);
    }

    /** This path's last key, narrowed to the element named {@code name} of the list there. */
    public FieldPath element(String name) {
        List<Segment> s = new ArrayList<>(segments);
        Segment last = s.remove(s.size() - 1);
        s.add(new Segment(last.key(), name));
        return new FieldPath(s);
    }

    /** The path written as {@link #toString()} does, or empty when it is not one. */
    public static Optional<FieldPath> parse(String text) {
        List<Segment> segments = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int end = i;
            while (end < text.length() && text.charAt(end) != '.' && text.charAt(end) != '[') {
                end++;
            }
            String key = text.substring(i, end);
            if (key.isEmpty()) {
                return Optional.empty();
            }
            String element = null;
            if (end < text.length() && text.charAt(end) == '[') {
                int close = text.indexOf(']', end);
                if (close < 0 || close == end + 1) {
                    return Optional.empty();
                }
                element = text.substring(end + 1, close);
                end = close + 1;
            }
            segments.add(new Segment(key, element));
            if (end < text.length()) {
                if (text.charAt(end) != '.' || end + 1 == text.length()) {
                    return Optional.empty();
                }
                end++;
            }
            i = end;
        }
        return segments.isEmpty() ? Optional.empty() : Optional.of(new FieldPath(segments));
    }

    /** The value at this path under {@code root}, or null when any step is missing. */
    public JsonNode get(JsonNode root) {
        JsonNode node = root;
        for (Segment s : segments) {
            node = step(node, s);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    /** Sets the value at this path; false (nothing changed) when its parent is missing. */
    public boolean set(JsonNode root, JsonNode value) {
        JsonNode parent = parent(root);
        Segment last = segments.get(segments.size() - 1);
        if (!(parent instanceof ObjectNode o)) {
            return false;
        }
        if (last.element() == null) {
            o.set(last.key(), value.deepCopy());
            return true;
        }
        if (!(o.get(last.key()) instanceof ArrayNode list)) {
            return false;
        }
        int index = indexOf(list, last.element());
        if (index < 0) {
            list.add(value.deepCopy());
        } else {
            list.set(index, value.deepCopy());
        }
        return true;
    }

    /** Removes the field or element at this path, if present. */
    public void remove(JsonNode root) {
        JsonNode parent = parent(root);
        Segment last = segments.get(segments.size() - 1);
        if (!(parent instanceof ObjectNode o)) {
            return;
        }
        if (last.element() == null) {
            o.remove(last.key());
        } else if (o.get(last.key()) instanceof ArrayNode list) {
            int index = indexOf(list, last.element());
            if (index >= 0) {
                list.remove(index);
            }
        }
    }

    private JsonNode parent(JsonNode root) {
        JsonNode node = root;
        for (Segment s : segments.subList(0, segments.size() - 1)) {
            node = step(node, s);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    private static JsonNode step(JsonNode node, Segment s) {
        if (!(node instanceof ObjectNode o)) {
            return null;
        }
        JsonNode child = o.get(s.key());
        if (s.element() == null) {
            return child;
        }
        if (!(child instanceof ArrayNode list)) {
            return null;
        }
        int index = indexOf(list, s.element());
        return index < 0 ? null : list.get(index);
    }

    /** The index of the last element named {@code name} (of two, the later one wins, as for env). */
    static int indexOf(ArrayNode list, String name) {
        int found = -1;
        for (int i = 0; i < list.size(); i++) {
            if (name.equals(list.get(i).path("name").asText(null))) {
                found = i;
            }
        }
        return found;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (Segment segment : segments) {
            s.append(s.isEmpty() ? "" : ".").append(segment);
        }
        return s.toString();
    }
}
