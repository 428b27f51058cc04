package dev.headstart.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.headstart.json.Json;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which fields of a pod spec Headstart added or changed, kept in the annotation
 * {@value Annotations#OWNED} of the pod (or pod template) so it survives a re-apply: no owner's
 * manifest writes it, client-side apply keeps what the manifest never named, and when server-side
 * apply drops it the stored object still holds it.
 *
 * <p>Each entry names a field ({@link FieldPath}), a short hash of the value Headstart wrote
 * ({@code set}) and, when Headstart changed a value rather than adding it, the owner's value before
 * ({@code was}). The hash makes each entry check itself: a field whose value is no longer what
 * Headstart wrote is the owner's again (they changed it, or took it over), whatever the record says.
 */
public final class OwnedFields {

    /** The hash of "no value": an entry for a field Headstart removed. */
    private static final String ABSENT = "-";

    private record Entry(String set, JsonNode was) {
    }

    private final Map<String, Entry> entries;

    private OwnedFields(Map<String, Entry> entries) {
        this.entries = entries;
    }

    public static OwnedFields none() {
        return new OwnedFields(new TreeMap<>());
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The fields named, as text, sorted. */
    public Set<String> paths() {
        return entries.keySet();
    }

    /** What changed from {@code before} to {@code after} (two pod specs), field by field. */
    public static OwnedFields between(JsonNode before, JsonNode after) {
        Map<String, Entry> out = new TreeMap<>();
        diffObjects(before, after, FieldPath.root(), out);
        return new OwnedFields(out);
    }

    /** The record in {@code metadata}'s annotations; empty when there is none or it does not parse. */
    public static Optional<OwnedFields> read(JsonNode metadata) {
        JsonNode text = metadata == null ? null : metadata.path("annotations").get(Annotations.OWNED);
        if (text == null || !text.isTextual()) {
            return Optional.empty();
        }
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(text.asText());
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
        if (!(tree instanceof ObjectNode object)) {
            return Optional.empty();
        }
        Map<String, Entry> entries = new TreeMap<>();
        object.fields().forEachRemaining(field -> {
            JsonNode set = field.getValue().path("set");
            if (set.isTextual() && FieldPath.parse(field.getKey()).isPresent()) {
                JsonNode was = field.getValue().get("was");
                entries.put(field.getKey(), new Entry(set.asText(), was == null || was.isNull() ? null : was));
            }
        });
        return Optional.of(new OwnedFields(entries));
    }

    /** Writes this record into {@code metadata}'s annotations (created as needed). */
    public void write(ObjectNode metadata) {
        ObjectNode record = metadata.objectNode();
        entries.forEach((path, entry) -> {
            ObjectNode e = record.putObject(path);
            e.put("set", entry.set());
            if (entry.was() != null) {
                e.set("was", entry.was());
            }
        });
        Workload.objectAt(metadata, "annotations").put(Annotations.OWNED, record.toString());
    }

    /** This record with {@code newer}'s entries added (newer wins on the same field). */
    public OwnedFields plus(OwnedFields newer) {
        Map<String, Entry> all = new TreeMap<>(entries);
        newer.entries.forEach((path, entry) -> {
            Entry older = all.get(path);
            // A field changed twice keeps the owner's value from before the first change.
            all.put(path, older != null && older.was() != null && entry.was() != null
                    ? new Entry(entry.set(), older.was()) : entry);
        });
        return new OwnedFields(all);
    }

    /**
     * Puts the owner's values back into {@code spec}, in place: every recorded field that still
     * holds exactly what Headstart wrote goes back to what the owner had (removed when Headstart
     * added it). Fields the owner has changed since stay as they are.
     */
    public void strip(ObjectNode spec) {
        strip(spec, null);
    }

    /**
     * As {@link #strip(ObjectNode)}, knowing the pod spec the owner last declared with client-side
     * apply ({@code kubectl.kubernetes.io/last-applied-configuration}), or null. A field Headstart
     * added that the owner now declares too was merged by the three-way patch into Headstart's
     * value (the patch keeps what the manifest does not name: Headstart's handler and timing beside
     * the owner's); the owner's declaration is what they asked for, so it is taken as written.
     */
    public void strip(ObjectNode spec, JsonNode declared) {
        entries.forEach((text, entry) -> {
            FieldPath path = FieldPath.parse(text).orElseThrow();
            if (!hash(path.get(spec)).equals(entry.set())) {
                JsonNode mine = declared == null ? null : present(path.get(declared));
                if (entry.was() == null && mine != null && present(path.get(spec)) != null) {
                    path.set(spec, mine);
                }
                return;
            }
            if (entry.was() == null) {
                path.remove(spec);
            } else {
                path.set(spec, entry.was());
            }
        });
    }

    private static void diffObjects(JsonNode before, JsonNode after, FieldPath path, Map<String, Entry> out) {
        Set<String> keys = new java.util.LinkedHashSet<>();
        before.fieldNames().forEachRemaining(keys::add);
        after.fieldNames().forEachRemaining(keys::add);
        for (String key : keys) {
            diff(present(before.get(key)), present(after.get(key)), path.key(key), out);
        }
    }

    private static void diff(JsonNode before, JsonNode after, FieldPath path, Map<String, Entry> out) {
        if (before == null ? after == null : before.equals(after)) {
            return;
        }
        if (before instanceof ObjectNode b && after instanceof ObjectNode a) {
            diffObjects(b, a, path, out);
            return;
        }
        if (before instanceof ArrayNode b && after instanceof ArrayNode a && mergeableByName(b, a)) {
            Set<String> names = new java.util.LinkedHashSet<>();
            b.forEach(e -> names.add(e.get("name").asText()));
            a.forEach(e -> names.add(e.get("name").asText()));
            for (String name : names) {
                diff(element(b, name), element(a, name), path.element(name), out);
            }
            return;
        }
        out.put(path.toString(), new Entry(hash(after), before));
    }

    /**
     * Whether two lists can be compared element by element: objects with distinct names on both
     * sides, the names both share in the same order (a strategic merge patch matches such lists by
     * name; a reorder is a change of the whole list).
     */
    private static boolean mergeableByName(ArrayNode before, ArrayNode after) {
        List<String> b = names(before);
        List<String> a = names(after);
        if (b == null || a == null) {
            return false;
        }
        List<String> common = b.stream().filter(a::contains).toList();
        return common.equals(a.stream().filter(b::contains).toList());
    }

    private static List<String> names(ArrayNode list) {
        Set<String> seen = new HashSet<>();
        List<String> names = new java.util.ArrayList<>();
        for (JsonNode e : list) {
            String name = e.path("name").asText("");
            if (!e.isObject() || name.isEmpty() || !seen.add(name)) {
                return null;
            }
            names.add(name);
        }
        return names;
    }

    private static JsonNode element(ArrayNode list, String name) {
        int index = FieldPath.indexOf(list, name);
        return index < 0 ? null : list.get(index);
    }

    private static JsonNode present(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node;
    }

    /**
     * 16 hex digits of SHA-256 over the value's compact JSON with object keys sorted (the API server
     * stores fields in its own order), or {@value #ABSENT} for no value.
     */
    static String hash(JsonNode value) {
        if (present(value) == null) {
            return ABSENT;
        }
        StringBuilder canonical = new StringBuilder();
        canonical(value, canonical);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compact JSON, object keys sorted; scalars as Jackson writes them. */
    static void canonical(JsonNode node, StringBuilder out) {
        if (node.isObject()) {
            List<String> keys = new java.util.ArrayList<>();
            node.fieldNames().forEachRemaining(keys::add);
            java.util.Collections.sort(keys);
            out.append('{');
            for (int i = 0; i < keys.size(); i++) {
                out.append(i == 0 ? "" : ",").append(TextNode.valueOf(keys.get(i))).append(':');
                canonical(node.get(keys.get(i)), out);
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            for (int i = 0; i < node.size(); i++) {
                out.append(i == 0 ? "" : ",");
                canonical(node.get(i), out);
            }
            out.append(']');
        } else {
            out.append(node);
        }
    }

    @Override
    public String toString() {
        return entries.keySet().toString();
    }
}
