package dev.headstart.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.json.Json;
import io.smallrye.config.WithDefault;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The generated part of charts/headstart, from its one source: manifests/ (copied into the chart's
 * {@code files/} and {@code crds/}), the image tag of manifests/base (the chart's appVersion) and
 * {@link HeadstartConfig} (the schema of the {@code headstart:} values). {@link #main} writes them
 * ({@code make chart-sync}) or packages the chart ({@code make chart}); ChartSourcesTest fails while
 * the committed chart differs from what this generates.
 */
public final class ChartSources {

    static final Path CHART = Path.of("charts/headstart");
    static final String SYNC_COMMAND = "make chart-sync";
    private static final Path MANIFESTS = ManifestSet.MANIFESTS;

    /** Chart folders that hold only copies: a file there that is no copy is stale. */
    static final List<Path> COPY_DIRS = List.of(CHART.resolve("files"), CHART.resolve("crds"));

    /** Config keys the chart does not offer: the role is the container's (its command), not a setting. */
    private static final Set<String> NOT_VALUES = Set.of("role");

    private ChartSources() {
    }

    /** Every generated file of the chart and its content. */
    static Map<Path, byte[]> expected() {
        Map<Path, byte[]> files = new TreeMap<>();
        copyAll(MANIFESTS.resolve("base"), CHART.resolve("files/base"), files);
        copyAll(MANIFESTS.resolve("monitoring"), CHART.resolve("files/monitoring"), files);
        files.remove(CHART.resolve("files/monitoring/kustomization.yaml"));
        copy(MANIFESTS.resolve("overlays/cert-manager/certificates.yaml"), CHART.resolve("files/cert-manager/certificates.yaml"), files);
        copyAll(MANIFESTS.resolve("crds"), CHART.resolve("crds"), files);
        files.remove(CHART.resolve("crds/kustomization.yaml"));
        files.put(CHART.resolve("Chart.yaml"), chartYaml().getBytes(StandardCharsets.UTF_8));
        files.put(CHART.resolve("values.schema.json"), schema().getBytes(StandardCharsets.UTF_8));
        return files;
    }

    /** The generated files that differ from the committed ones, and committed copies nothing generates. */
    static List<String> stale() {
        Map<Path, byte[]> expected = expected();
        List<String> problems = new java.util.ArrayList<>();
        expected.forEach((path, content) -> {
            try {
                if (!Files.isRegularFile(path)) {
                    problems.add(path + " is missing");
                } else if (!Arrays.equals(Files.readAllBytes(path), content)) {
                    problems.add(path + " differs from what its source generates");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        for (Path dir : COPY_DIRS) {
            committed(dir).filter(p -> !expected.containsKey(p)).forEach(p -> problems.add(p + " is a copy of nothing"));
        }
        return problems;
    }

    /** Writes every generated file and removes stale copies. */
    static void sync() throws IOException {
        Map<Path, byte[]> expected = expected();
        for (Path dir : COPY_DIRS) {
            for (Path p : committed(dir).filter(p -> !expected.containsKey(p)).toList()) {
                Files.delete(p);
                System.out.println("removed " + p);
            }
        }
        for (var entry : expected.entrySet()) {
            Path path = entry.getKey();
            if (!Files.isRegularFile(path) || !Arrays.equals(Files.readAllBytes(path), entry.getValue())) {
                Files.createDirectories(path.getParent());
                Files.write(path, entry.getValue());
                System.out.println("wrote " + path);
            }
        }
    }

    /**
     * {@code sync}: regenerate; {@code package}: lint and package into {@code -Dchart.destination}
     * (default target/) after checking the chart is current. The command is the first argument or
     * {@code -Dchart.command} (exec:java shares -Dexec.args with the build's exec:exec steps).
     */
    public static void main(String[] args) throws IOException {
        String command = args.length > 0 ? args[0] : System.getProperty("chart.command", "sync");
        switch (command) {
            case "sync" -> sync();
            case "package" -> {
                List<String> stale = stale();
                if (!stale.isEmpty()) {
                    throw new IllegalStateException("charts/headstart is stale (" + String.join("; ", stale) + "); run " + SYNC_COMMAND);
                }
                Path destination = Files.createDirectories(Path.of(args.length > 1 ? args[1] : System.getProperty("chart.destination", "target")));
                var lint = new Helm(CHART).lint().strict().call();
                if (lint.isFailed()) {
                    throw new IllegalStateException("helm lint failed: " + lint.getMessages());
                }
                new Helm(CHART).packageIt().withDestination(destination).call();
                System.out.println(destination.resolve("headstart-" + chartVersion() + ".tgz"));
            }
            default -> throw new IllegalArgumentException("unknown command '" + command + "' (sync or package)");
        }
    }

    // ------------------------------------------------------------------ copies

    private static Stream<Path> committed(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Stream.empty();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).sorted().toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyAll(Path from, Path to, Map<Path, byte[]> files) {
        try (Stream<Path> list = Files.list(from)) {
            list.filter(Files::isRegularFile).sorted().forEach(f -> copy(f, to.resolve(f.getFileName().toString()), files));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copy(Path from, Path to, Map<Path, byte[]> files) {
        try {
            files.put(to, Files.readAllBytes(from));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ Chart.yaml

    private static final Pattern APP_VERSION = Pattern.compile("(?m)^appVersion: .*$");

    /** Chart.yaml with appVersion set to the tag of the image manifests/base names. */
    private static String chartYaml() {
        try {
            String chart = Files.readString(CHART.resolve("Chart.yaml"));
            Matcher m = APP_VERSION.matcher(chart);
            if (!m.find()) {
                throw new IllegalStateException(CHART.resolve("Chart.yaml") + " has no appVersion line");
            }
            return m.replaceFirst(Matcher.quoteReplacement("appVersion: \"" + baseImageTag() + "\""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String chartVersion() throws IOException {
        Matcher m = Pattern.compile("(?m)^version: (\\S+)$").matcher(Files.readString(CHART.resolve("Chart.yaml")));
        return m.find() ? m.group(1) : "unknown";
    }

    /** The tag of the (one) image the Deployment of manifests/base runs. */
    static String baseImageTag() {
        JsonNode deployment = ManifestSet.files(MANIFESTS.resolve("base")).one("Deployment", "headstart");
        List<String> images = deployment.at("/spec/template/spec/containers").findValuesAsText("image").stream().distinct().toList();
        if (images.size() != 1) {
            throw new IllegalStateException("manifests/base runs " + images + "; the chart expects one image");
        }
        String image = images.get(0);
        int colon = image.lastIndexOf(':');
        return colon > image.lastIndexOf('/') ? image.substring(colon + 1) : "latest";
    }

    // ------------------------------------------------------------------ values.schema.json

    /** values.schema.json with its {@code headstart} property generated from {@link HeadstartConfig}. */
    private static String schema() {
        try {
            ObjectNode schema = (ObjectNode) Json.MAPPER.readTree(CHART.resolve("values.schema.json").toFile());
            ObjectNode headstart = configSchema(HeadstartConfig.class, "headstart");
            headstart.put("description", "Every headstart.* setting of the jar, without the prefix (generated from "
                    + "HeadstartConfig by " + SYNC_COMMAND + "); rendered into config/application.properties.");
            ((ObjectNode) schema.get("properties")).set("headstart", headstart);
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(schema) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An object schema of a @ConfigMapping interface: one property per kebab-case key, nothing else. */
    static ObjectNode configSchema(Class<?> mapping, String path) {
        ObjectNode object = Json.MAPPER.createObjectNode();
        object.put("type", "object");
        object.put("additionalProperties", false);
        ObjectNode properties = object.putObject("properties");
        Arrays.stream(mapping.getMethods())
                .filter(m -> m.getParameterCount() == 0 && !m.isDefault() && !Modifier.isStatic(m.getModifiers()))
                .filter(m -> !(mapping == HeadstartConfig.class && NOT_VALUES.contains(kebab(m.getName()))))
                .sorted(Comparator.comparing(Method::getName))
                .forEach(m -> {
                    String key = kebab(m.getName());
                    ObjectNode property = typeSchema(m.getGenericReturnType(), path + "." + key);
                    WithDefault def = m.getAnnotation(WithDefault.class);
                    if (def != null && !property.has("properties")) {
                        property.put("description", "default: " + def.value());
                    }
                    properties.set(key, property);
                });
        return object;
    }

    private static ObjectNode typeSchema(Type type, String path) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        if (type instanceof ParameterizedType p) {
            Type raw = p.getRawType();
            Type[] args = p.getActualTypeArguments();
            if (raw == Optional.class) {
                return typeSchema(args[0], path);
            }
            if (raw == List.class || raw == Set.class) {
                // A YAML list, or the comma list the properties file takes.
                ArrayNode types = node.putArray("type");
                types.add("array").add("string");
                node.set("items", scalar(args[0], path));
                return node;
            }
            if (raw == Map.class) {
                node.put("type", "object");
                node.set("additionalProperties", scalar(args[1], path));
                return node;
            }
            throw new IllegalStateException(path + ": no schema for " + type + " (extend ChartSources.typeSchema)");
        }
        Class<?> c = (Class<?>) type;
        if (c.isInterface() && c.getName().startsWith("dev.headstart.")) {
            return configSchema(c, path);
        }
        return scalar(c, path);
    }

    private static ObjectNode scalar(Type type, String path) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        if (type == boolean.class || type == Boolean.class) {
            node.put("type", "boolean");
        } else if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            node.put("type", "integer");
        } else if (type == double.class || type == Double.class) {
            node.put("type", "number");
        } else if (type == Duration.class) {
            // "15s", "5m", or a number of seconds (Quarkus' DurationConverter).
            node.putArray("type").add("string").add("integer");
        } else if (type == java.util.OptionalInt.class || type == java.util.OptionalLong.class) {
            node.put("type", "integer");
        } else if (type == java.util.OptionalDouble.class || type == float.class || type == Float.class) {
            node.put("type", "number");
        } else {
            // String, enums, and any type this generator does not know: text in the properties file either
            // way ("1" and 1, a CPU count, are the same setting); the jar checks it at start.
            node.putArray("type").add("string").add("number").add("boolean");
        }
        return node;
    }

    /** A @ConfigMapping method name as its key: {@code maxPodsPerNode} → {@code max-pods-per-node}. */
    static String kebab(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }
}
