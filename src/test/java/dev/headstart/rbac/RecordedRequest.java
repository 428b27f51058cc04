package dev.headstart.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.headstart.cluster.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** One request a mock API server received during the test suite, as {@code ApiRequestRecorder} wrote it. */
public record RecordedRequest(Optional<Component> component, String userAgent, String method, String path, String test,
        ApiRequest request) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code GET /api/v1/nodes?watch=true} in HeadroomReconcilerTest */
    public String example() {
        String shortTest = test.substring(test.lastIndexOf('.') + 1);
        return method + " " + path + " (" + shortTest + ")";
    }

    /** Every request recorded under {@code dir} (all files, all JVMs). */
    public static List<RecordedRequest> readAll(Path dir) {
        List<RecordedRequest> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).sorted().toList()) {
                for (String line : Files.readAllLines(file)) {
                    if (!line.isBlank()) {
                        out.add(parse(JSON.readTree(line)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static RecordedRequest parse(JsonNode line) {
        String agent = line.path("userAgent").asText("");
        String method = line.path("method").asText();
        String path = line.path("path").asText();
        return new RecordedRequest(Component.fromUserAgent(agent), agent, method, path, line.path("test").asText(""),
                ApiRequest.parse(method, path));
    }
}
