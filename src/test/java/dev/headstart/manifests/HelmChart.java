package dev.headstart.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * charts/headstart through real Helm (helm-java runs Helm's own Go library in-process): {@code helm
 * template} with given values, and the normalising that makes its objects comparable with kustomize's.
 */
final class HelmChart {

    static final String RELEASE = "headstart";
    static final String NAMESPACE = "headstart-system";

    /** Labels Helm's tooling puts on every object of a release, which kustomize's objects do not carry. */
    static final Set<String> RELEASE_LABELS = Set.of("helm.sh/chart", "app.kubernetes.io/managed-by", "app.kubernetes.io/instance");

    private static final YAMLMapper YAML = new YAMLMapper();

    private HelmChart() {
    }

    /** {@code helm template headstart charts/headstart -n headstart-system -f values.yaml}. */
    static ManifestSet render(Map<String, ?> values) {
        return new ManifestSet("helm template " + (values.isEmpty() ? "(default values)" : values), parse(template(values)));
    }

    /** The raw output of helm template; Helm's own error (schema, fail) as an IllegalStateException. */
    static String template(Map<String, ?> values) {
        try {
            Path file = Files.createTempFile("headstart-values", ".yaml");
            try {
                YAML.writeValue(file.toFile(), values);
                return new Helm(ChartSources.CHART).template().withName(RELEASE).withNamespace(NAMESPACE)
                        .withValuesFile(file).call();
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<JsonNode> parse(String out) {
        return ManifestSet.parse(out);
    }

    /**
     * The object as kustomize would have rendered it: without the release labels, the annotation that
     * keeps an object on uninstall, and the CA bundle (the chart's own certificate material).
     */
    static JsonNode normalised(JsonNode object) {
        ObjectNode copy = object.deepCopy();
        JsonNode metadata = copy.path("metadata");
        if (metadata.path("labels") instanceof ObjectNode labels) {
            labels.remove(RELEASE_LABELS);
        }
        if (metadata.path("annotations") instanceof ObjectNode annotations) {
            annotations.remove("helm.sh/resource-policy");
            if (annotations.isEmpty()) {
                ((ObjectNode) metadata).remove("annotations");
            }
        }
        for (JsonNode webhook : copy.path("webhooks")) {
            if (webhook.path("clientConfig") instanceof ObjectNode clientConfig) {
                clientConfig.remove("caBundle");
            }
        }
        return copy;
    }

    /** The annotation that makes an object a Helm hook: run at a point of the release's life, not installed with it. */
    static final String HOOK = "helm.sh/hook";

    /** Whether Helm runs the object as a hook rather than installing it with the release. */
    static boolean isHook(JsonNode object) {
        return object.path("metadata").path("annotations").has(HOOK);
    }

    /** The objects `helm install` installs: {@code helm template} renders the hooks too. */
    static List<JsonNode> installed(ManifestSet set) {
        return set.objects().stream().filter(o -> !isHook(o)).toList();
    }

    /**
     * The hook objects with given values, rendered by real Helm. helm-java's template and dry-run
     * return the release's manifest only (as `helm template --no-hooks`), so this renders a copy of
     * the chart whose templates say {@code test.headstart.dev/hook} for {@code helm.sh/hook} (Helm
     * then treats them as ordinary objects), and renames the annotations back.
     */
    static ManifestSet hooks(Map<String, ?> values) {
        Path copy = null;
        try {
            copy = Files.createTempDirectory("headstart-chart");
            Path into = copy;
            try (var files = Files.walk(ChartSources.CHART)) {
                for (Path f : files.toList()) {
                    Path target = into.resolve(ChartSources.CHART.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(target);
                    } else if (f.startsWith(ChartSources.CHART.resolve("templates"))) {
                        Files.writeString(target, Files.readString(f).replace(HOOK, TEST_HOOK));
                    } else {
                        Files.copy(f, target);
                    }
                }
            }
            Path file = Files.createTempFile("headstart-values", ".yaml");
            try {
                YAML.writeValue(file.toFile(), values);
                String out = new Helm(copy).template().withName(RELEASE).withNamespace(NAMESPACE).withValuesFile(file).call();
                List<JsonNode> objects = new java.util.ArrayList<>();
                for (JsonNode o : parse(out)) {
                    if (o.path("metadata").path("annotations") instanceof ObjectNode annotations && annotations.has(TEST_HOOK)) {
                        ObjectNode renamed = annotations.objectNode();
                        annotations.fields().forEachRemaining(e -> renamed.set(e.getKey().replace(TEST_HOOK, HOOK), e.getValue()));
                        ((ObjectNode) o.path("metadata")).set("annotations", renamed);
                        objects.add(o);
                    }
                }
                return new ManifestSet("helm template hooks " + (values.isEmpty() ? "(default values)" : values), objects);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (copy != null) {
                try (var files = Files.walk(copy)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException ignored) {
                    // a temp dir left behind
                }
            }
        }
    }

    private static final String TEST_HOOK = "test.headstart.dev/hook";

    /** kind/namespace/name, the identity of an object in a comparison. */
    static String key(JsonNode object) {
        JsonNode metadata = object.path("metadata");
        return object.path("kind").asText() + "/" + metadata.path("namespace").asText("") + "/" + metadata.path("name").asText();
    }
}
