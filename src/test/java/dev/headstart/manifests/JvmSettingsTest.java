package dev.headstart.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each container's own JVM options. They replace the image's JAVA_OPTS, so they must keep its
 * system properties. The controller's (docs/controller.md, "Memory limit and JVM settings"; make
 * scale-bench starts the jar with exactly these): heap plus the JVM's own ~150 MiB measured at
 * 5,000 nodes within 75 % of the memory limit (issue 12: RSS ≤ 384 MiB in 512 MiB). The webhook's
 * (docs/operations.md; make soak runs it so): a fixed heap touched at start, whose RSS its memory
 * request covers (issue 11: RSS back at baseline after an attack).
 */
class JvmSettingsTest {

    static final long JVM_OUTSIDE_HEAP_MIB = 150;

    static JsonNode container(String name) throws IOException {
        for (JsonNode doc : new YAMLMapper().readerFor(JsonNode.class)
                .<JsonNode>readValues(Path.of("manifests/base/deployment.yaml").toFile()).readAll()) {
            if ("Deployment".equals(doc.path("kind").asText())) {
                for (JsonNode container : doc.at("/spec/template/spec/containers")) {
                    if (name.equals(container.path("name").asText())) {
                        return container;
                    }
                }
            }
        }
        throw new AssertionError("no " + name + " container in manifests/base/deployment.yaml");
    }

    static long mib(String quantity) {
        Matcher m = Pattern.compile("(\\d+)([mMgG]|Mi|Gi)").matcher(quantity);
        assertThat(m.matches()).as(quantity).isTrue();
        long n = Long.parseLong(m.group(1));
        return m.group(2).toLowerCase().startsWith("g") ? n * 1024 : n;
    }

    static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new HashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText(null)));
        return env;
    }

    static List<String> javaOpts(Map<String, String> env) {
        return Arrays.asList(env.get("JAVA_OPTS").trim().split("\\s+"));
    }

    static void keepsTheImagesProperties(List<String> opts) throws IOException {
        String dockerfile = Files.readString(Path.of("src/main/docker/Dockerfile.jvm"));
        Matcher image = Pattern.compile("ENV JAVA_OPTS=\"([^\"]*)\"").matcher(dockerfile);
        assertThat(image.find()).isTrue();
        for (String flag : image.group(1).split("\\s+")) {
            if (flag.startsWith("-D")) {
                assertThat(opts).as("the image's " + flag).contains(flag);
            }
        }
    }

    @Test
    void theControllersHeapAndTheJvmFitThreeQuartersOfItsLimitAndKeepTheImagesProperties() throws IOException {
        JsonNode container = container("controller");
        Map<String, String> env = env(container);
        List<String> opts = javaOpts(env);

        assertThat(opts).contains("-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError");
        assertThat(env).containsEntry("MALLOC_ARENA_MAX", "2");
        String xmx = opts.stream().filter(o -> o.startsWith("-Xmx")).findFirst().orElseThrow().substring(4);
        String xms = opts.stream().filter(o -> o.startsWith("-Xms")).findFirst().orElseThrow().substring(4);
        assertThat(xms).as("a fixed heap").isEqualTo(xmx);
        long limit = mib(container.at("/resources/limits/memory").asText());
        assertThat(mib(xmx) + JVM_OUTSIDE_HEAP_MIB).isLessThanOrEqualTo(limit * 3 / 4);
        keepsTheImagesProperties(opts);
    }

    @Test
    void theWebhooksHeapIsFixedAndTouchedAtStartAndItsRequestCoversIt() throws IOException {
        JsonNode container = container("webhook");
        List<String> opts = javaOpts(env(container));

        assertThat(opts).contains("-XX:+UseSerialGC", "-XX:+AlwaysPreTouch", "-XX:+ExitOnOutOfMemoryError");
        String max = opts.stream().filter(o -> o.startsWith("-XX:MaxRAMPercentage=")).findFirst().orElseThrow();
        String initial = opts.stream().filter(o -> o.startsWith("-XX:InitialRAMPercentage=")).findFirst().orElseThrow();
        assertThat(initial.substring(initial.indexOf('='))).as("a fixed heap").isEqualTo(max.substring(max.indexOf('=')));
        long limit = mib(container.at("/resources/limits/memory").asText());
        long heap = limit * Long.parseLong(max.substring(max.indexOf('=') + 1)) / 100;
        assertThat(mib(container.at("/resources/requests/memory").asText()))
                .as("the request covers the heap and the JVM outside it")
                .isGreaterThanOrEqualTo(heap + JVM_OUTSIDE_HEAP_MIB);
        keepsTheImagesProperties(opts);
    }
}
