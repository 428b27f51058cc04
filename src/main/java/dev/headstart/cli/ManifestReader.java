package dev.headstart.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.headstart.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Reads Kubernetes manifests the way {@code kubectl apply -f} takes them: a file (multi-document
 * YAML, or JSON), a directory (its {@code *.yaml}, {@code *.yml} and {@code *.json} files sorted by
 * name, not recursive) or {@code -} for standard input. Documents keep their input order; empty
 * documents (a trailing {@code ---}) are left out. A {@code kind: List} (what {@code kubectl get -o
 * yaml} prints) and typed lists ({@code PodList}, ...) stand for their items, in order. The trees are
 * plain Jackson trees, the same the webhook receives.
 */
final class ManifestReader {

    /** YAML needs its own parser; its depth limit matches the shared JSON mapper's. */
    static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(Json.MAX_NESTING_DEPTH).build())
            .build());

    private ManifestReader() {
    }

    static List<JsonNode> read(String source, InputStream stdin) throws InputException {
        if (source.equals("-")) {
            try {
                String text = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
                return parse("<stdin>", text, looksLikeJson(text));
            } catch (IOException e) {
                throw new InputException("cannot read standard input: " + e.getMessage());
            }
        }
        Path path = Path.of(source);
        if (Files.isDirectory(path)) {
            List<JsonNode> all = new ArrayList<>();
            for (Path file : manifestsIn(path)) {
                all.addAll(readFile(file));
            }
            return all;
        }
        return readFile(path);
    }

    private static List<Path> manifestsIn(Path dir) throws InputException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> {
                        String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
                        return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new InputException("cannot list " + dir + ": " + e.getMessage());
        }
    }

    private static List<JsonNode> readFile(Path file) throws InputException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file or directory");
        } catch (IOException e) {
            throw new InputException("cannot read " + file + ": " + e.getMessage());
        }
        boolean json = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
        return parse(file.toString(), text, json);
    }

    private static boolean looksLikeJson(String text) {
        String start = text.stripLeading();
        return start.startsWith("{") || start.startsWith("[");
    }

    private static List<JsonNode> parse(String name, String text, boolean json) throws InputException {
        ObjectMapper mapper = json ? Json.MAPPER : YAML;
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> values = mapper.readerFor(JsonNode.class).readValues(text)) {
            while (values.hasNextValue()) {
                JsonNode document = values.nextValue();
                // An empty document (a trailing or doubled ---) reads as null or as an empty scalar.
                boolean empty = document == null || document.isNull() || document.isMissingNode()
                        || (document.isTextual() && document.asText().isEmpty());
                if (!empty) {
                    addExpanded(document, documents);
                }
            }
        } catch (JacksonException e) {
            if (!json && text.contains("{{")) {
                // Go template actions are not YAML; snakeyaml's event dump would only confuse.
                throw new InputException(name + ": not YAML \u2014 is it a template? render it first (helm template \u2026)");
            }
            JsonLocation at = e.getLocation();
            String where = at == null || at.getLineNr() < 0 ? "" : " (line " + at.getLineNr() + ")";
            throw new InputException(name + ": not valid " + (json ? "JSON" : "YAML") + where + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse("").strip());
        } catch (IOException e) {
            throw new InputException("cannot read " + name + ": " + e.getMessage());
        }
        return documents;
    }

    /**
     * A list stands for its items: {@code v1 List} items carry their own kind; a typed list's items
     * (as the API returns them) do not, so they get the list's kind without "List" and its apiVersion.
     */
    private static void addExpanded(JsonNode document, List<JsonNode> into) {
        String kind = document.path("kind").asText("");
        JsonNode items = document.get("items");
        if (!kind.endsWith("List") || items == null || !items.isArray()) {
            into.add(document);
            return;
        }
        String itemKind = kind.equals("List") ? null : kind.substring(0, kind.length() - "List".length());
        for (JsonNode item : items) {
            if (item instanceof ObjectNode object && itemKind != null) {
                if (!object.hasNonNull("kind")) {
                    object.put("kind", itemKind);
                }
                if (!object.hasNonNull("apiVersion") && document.hasNonNull("apiVersion")) {
                    object.set("apiVersion", document.get("apiVersion"));
                }
            }
            if (item != null && !item.isNull()) {
                addExpanded(item, into);
            }
        }
    }
}
