package dev.headstart.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.headstart.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Kubernetes objects as the YAML says them (JSON trees, no typed round trip that could hide a
 * field): either every YAML file under a folder, or the output of kustomize for a kustomization.
 */
record ManifestSet(String origin, List<JsonNode> objects) {

    static final Path MANIFESTS = Path.of("manifests");

    /** Every object in every YAML file under {@code dir}, except the kustomization files themselves. */
    static ManifestSet files(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            List<JsonNode> objects = new ArrayList<>();
            for (Path file : walk.filter(ManifestSet::isYaml).sorted().toList()) {
                if (!file.getFileName().toString().equals("kustomization.yaml")) {
                    objects.addAll(parse(Files.readString(file)));
                }
            }
            return new ManifestSet("files under " + dir, objects);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The kustomize rendering of {@code dir}, when kubectl or kustomize is installed. */
    static Optional<ManifestSet> rendered(Path dir) {
        return renderer(dir).map(command -> new ManifestSet("kustomize " + dir, parse(run(command, null))));
    }

    static Optional<List<String>> renderer(Path dir) {
        if (onPath("kubectl")) {
            return Optional.of(List.of("kubectl", "kustomize", dir.toString()));
        }
        if (onPath("kustomize")) {
            return Optional.of(List.of("kustomize", "build", dir.toString()));
        }
        return Optional.empty();
    }

    static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(java.io.File.pathSeparator))
                .anyMatch(p -> !p.isEmpty() && Files.isExecutable(Path.of(p, program)));
    }

    static boolean isYaml(Path file) {
        String name = file.getFileName().toString();
        return Files.isRegularFile(file) && (name.endsWith(".yaml") || name.endsWith(".yml"));
    }

    static List<JsonNode> parse(String yaml) {
        try (var parser = new YAMLFactory().createParser(yaml)) {
            return Json.MAPPER.readValues(parser, JsonNode.class).readAll().stream()
                    .filter(node -> node != null && node.isObject() && !node.isEmpty())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a command to completion and returns its stdout; a non-zero exit fails the test. */
    static String run(List<String> command, java.util.Map<String, String> env) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE);
            if (env != null) {
                builder.environment().putAll(env);
            }
            Process process = builder.start();
            var stdout = process.getInputStream().readAllBytes();
            var stderr = process.getErrorStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " timed out");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(command + " exited " + process.exitValue() + ": "
                        + new String(stderr, StandardCharsets.UTF_8));
            }
            return new String(stdout, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    List<JsonNode> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    JsonNode one(String kind, String name) {
        List<JsonNode> found = ofKind(kind).stream()
                .filter(o -> name.equals(o.path("metadata").path("name").asText()))
                .toList();
        if (found.size() != 1) {
            throw new AssertionError(origin + ": expected one " + kind + " " + name + ", found " + found.size());
        }
        return found.get(0);
    }

    @Override
    public String toString() {
        return origin;
    }
}
