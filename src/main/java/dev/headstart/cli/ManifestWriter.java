package dev.headstart.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.headstart.json.Json;

import java.io.PrintWriter;
import java.util.List;

/**
 * Prints documents as multi-document YAML in kubectl's style (strings that would read as numbers or
 * booleans stay quoted, so output read back is the same tree), or as one JSON {@code v1 List}.
 */
final class ManifestWriter {

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .build();

    private ManifestWriter() {
    }

    static void yaml(PrintWriter out, List<? extends JsonNode> documents) {
        boolean first = true;
        for (JsonNode document : documents) {
            yaml(out, document, first);
            first = false;
        }
        out.flush();
    }

    /** One document of a multi-document stream, a {@code ---} before all but the first. */
    static void yaml(PrintWriter out, JsonNode document, boolean first) {
        if (!first) {
            out.print("---\n");
        }
        try {
            out.print(YAML.writeValueAsString(document));
        } catch (JsonProcessingException e) {
            // A tree read or built in memory always serialises.
            throw new IllegalStateException(e);
        }
    }

    static void jsonList(PrintWriter out, List<? extends JsonNode> documents) {
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("apiVersion", "v1");
        list.put("kind", "List");
        ArrayNode items = list.putArray("items");
        documents.forEach(items::add);
        try {
            out.print(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(list));
            out.print('\n');
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }
}
