package dev.headstart.cli;

import dev.headstart.testing.ApiRequestRecorder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.headstart.json.Json;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code headstart startup} on a kubectl-shaped List (src/test/resources/startup/cluster-dump.json,
 * written by make-dump.py next to it, which also computes the expected figures independently).
 */
@EnableKubernetesMockClient(crud = true)
class StartupCommandTest {

    static final String DUMP = "src/test/resources/startup/cluster-dump.json";
    static final String SVG = "http://www.w3.org/2000/svg";

    KubernetesClient client;
    KubernetesMockServer server;

    @Test
    void jsonHasExactlyTheIssuesShapeAndTheExpectedFigures() throws IOException {
        CliRun run = CliRun.of("startup", "-f", DUMP, "-o", "json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).isEqualTo("headstart: 37 pods, 8 nodes, 70 events read from " + DUMP + "\n");
        JsonNode expected = Json.MAPPER.readTree(Path.of("src/test/resources/startup/cluster-dump.expected.json").toFile());
        assertSameShapeAndFigures("", Json.MAPPER.readTree(run.out()), expected);
        // figures worth reading by eye: Headstart's pods are Ready in 16 s at the median, the others in 70 s
        JsonNode json = Json.MAPPER.readTree(run.out());
        assertThat(json.at("/pods/on/phases/total/p50").asDouble()).isEqualTo(16.0);
        assertThat(json.at("/pods/off/phases/total/p50").asDouble()).isEqualTo(70.0);
        assertThat(json.at("/pods/on/imagePulls/cached").asInt()).isEqualTo(12);
        assertThat(json.at("/nodes/cold/phases/warmUp/p50").isNull()).isTrue();
    }

    @Test
    void yamlOnStandardInputReadsTheSame() throws IOException {
        String yaml = new YAMLMapper().writeValueAsString(Json.MAPPER.readTree(Path.of(DUMP).toFile()));
        CliRun fromYaml = CliRun.withStdin(yaml, "startup", "-f", "-", "-o", "json");
        assertThat(fromYaml.exitCode()).as(fromYaml.err()).isZero();
        assertThat(fromYaml.out()).isEqualTo(CliRun.of("startup", "-f", DUMP, "-o", "json").out());
    }

    @Test
    void tableHasPhasesAsRowsOnAndOffSideBySideWithTheDifference() {
        CliRun run = CliRun.of("startup", "-f", DUMP);
        assertThat(run.exitCode()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0)).startsWith("PODS").contains("headstart on: 17 Ready").contains("headstart off: 18 Ready")
                .contains("on − off");
        assertThat(lines.get(1).split("\\s+")).containsExactly("phase", "n", "p50", "p90", "max", "n", "p50", "p90", "max",
                "p50", "p90");
        assertThat(row(lines, "total")).containsExactly("total", "16", "16s", "19s", "19s", "18", "1m10s", "1m41s",
                "1m48s", "-54s", "-1m22s");
        assertThat(row(lines, "scheduling")).containsExactly("scheduling", "17", "1s", "2s", "2s", "17", "27s", "42s",
                "45s", "-26s", "-40s");
        assertThat(row(lines, "image")).containsExactly("image", "pull", "17", "0s", "3.3s", "5.05s", "16", "42s",
                "1m04s", "1m11s", "-42s", "-1m01s");
        assertThat(row(lines, "cache")).containsExactly("cache", "hits", "12/17", "(71%)", "3/16", "(19%)");
        assertThat(row(lines, "imageCache")).containsExactly("imageCache", "3", "53s", "1m19s", "1m19s", "0", "–", "–",
                "–", "–", "–");
        assertThat(run.out()).contains("warm pool: 3").contains("cold: 5");
    }

    private static List<String> row(List<String> lines, String first) {
        return List.of(lines.stream().map(String::strip).filter(l -> l.startsWith(first + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + first + " in\n" + String.join("\n", lines)))
                .split("\\s+"));
    }

    /** A pod created 12:00:00, scheduled +1 s, initialized +2 s, Ready at +{@code ready} s; boosted when asked. */
    private static String readyPod(String name, int ready, boolean boosted) {
        String annotations = "\"headstart.dev/applied\":\"startup-probe" + (boosted ? ",cpu-boost\","
                + "\"headstart.dev/cpu-boost-original\":\"app=500m\"" : "\"");
        return "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"shop\","
                + "\"uid\":\"uid-" + name + "\",\"creationTimestamp\":\"2026-11-21T12:00:00Z\",\"annotations\":{" + annotations
                + "}},\"status\":{\"conditions\":[{\"type\":\"PodScheduled\",\"status\":\"True\",\"lastTransitionTime\":"
                + "\"2026-11-21T12:00:01Z\"},{\"type\":\"Initialized\",\"status\":\"True\",\"lastTransitionTime\":"
                + "\"2026-11-21T12:00:02Z\"},{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":"
                + String.format("\"2026-11-21T12:%02d:%02dZ\"", ready / 60, ready % 60) + "}]}}";
    }

    @Test
    void boostedPodsGetTheirStartupPhaseComparedInTableJsonAndHtml(@TempDir Path dir) throws Exception {
        // boosted: startup 8 s, 13 s, 18 s; not boosted (with Headstart or not): 28 s, 58 s
        Path dump = dir.resolve("boosted.json");
        Files.writeString(dump, "{\"kind\":\"List\",\"items\":[" + String.join(",", readyPod("b-1", 10, true),
                readyPod("b-2", 15, true), readyPod("b-3", 20, true), readyPod("plain", 30, false), readyPod("legacy", 60, false)
                .replace("\"headstart.dev/applied\":\"startup-probe\"", "")) + "]}");
        CliRun table = CliRun.of("startup", "-f", dump.toString());
        assertThat(table.exitCode()).as(table.err()).isZero();
        List<String> lines = table.out().lines().toList();
        int block = lines.indexOf(lines.stream().filter(l -> l.startsWith("CPU BOOST")).findFirst().orElseThrow());
        assertThat(lines.get(block)).contains("boosted: 3 Ready", "not boosted: 2 Ready", "boosted − not");
        assertThat(lines.get(block + 2).strip().split("\\s+")).containsExactly("startup", "3", "13s", "18s", "18s",
                "2", "28s", "58s", "58s", "-15s", "-40s");
        assertThat(lines.subList(0, block)).noneMatch(l -> l.contains("boosted"));

        JsonNode json = Json.MAPPER.readTree(CliRun.of("startup", "-f", dump.toString(), "-o", "json").out());
        assertThat(json.at("/pods/cpuBoost/boosted/count").asInt()).isEqualTo(3);
        assertThat(json.at("/pods/cpuBoost/boosted/startup/p50").asDouble()).isEqualTo(13.0);
        assertThat(json.at("/pods/cpuBoost/notBoosted/startup/p90").asDouble()).isEqualTo(58.0);
        assertThat(json.at("/pods/on/count").asInt()).isEqualTo(4);

        String html = CliRun.of("startup", "-f", dump.toString(), "-o", "html").out();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        Document page = factory.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        NodeList tables = page.getElementsByTagName("table");
        assertThat(tables.getLength()).isEqualTo(3);
        assertThat(tables.item(1).getTextContent()).contains("boosted (3 Ready)", "not boosted (2 Ready)", "startup",
                "13s", "-15s");
        assertThat(html).contains("<h2>Startup phase by CPU boost</h2>");
    }

    @Test
    void withoutBoostedPodsNothingAboutTheBoostIsShown() {
        assertThat(CliRun.of("startup", "-f", DUMP).out()).doesNotContain("CPU BOOST");
        assertThat(CliRun.of("startup", "-f", DUMP, "-o", "html").out()).doesNotContain("CPU boost");
    }

    @Test
    void htmlIsOneWellFormedSelfContainedPageWithTheTableAndAWaterfall() throws Exception {
        CliRun run = CliRun.of("startup", "-f", DUMP, "-o", "html", "--slowest", "5");
        assertThat(run.exitCode()).isZero();
        String html = run.out();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document page = factory.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        // nothing to fetch: no scripts, links, images, imports or URLs but the SVG namespace name
        assertThat(page.getElementsByTagName("script").getLength()).isZero();
        assertThat(page.getElementsByTagName("link").getLength()).isZero();
        assertThat(page.getElementsByTagName("img").getLength()).isZero();
        assertThat(html).doesNotContain("url(").doesNotContain("@import").doesNotContain("src=").doesNotContain("href=");
        Matcher urls = Pattern.compile("(?i)(https?:|ftp:|//[a-z0-9])[^\"'\\s<]*").matcher(html);
        List<String> found = new ArrayList<>();
        while (urls.find()) {
            found.add(urls.group());
        }
        assertThat(found).containsOnly(SVG);
        // the phase table: a row per pod phase, then image pull and cache hits
        NodeList tables = page.getElementsByTagName("table");
        assertThat(tables.getLength()).isEqualTo(2);
        assertThat(tables.item(0).getTextContent()).contains("scheduling", "initialization", "startup", "total",
                "image pull", "12/17 (71%)", "-54s");
        // two waterfalls, in the SVG namespace: per group a heading and the 5 slowest
        NodeList svgs = page.getElementsByTagNameNS(SVG, "svg");
        assertThat(svgs.getLength()).isEqualTo(2);
        Element pods = (Element) svgs.item(0);
        List<String> badges = texts(pods, "on", "off");
        assertThat(badges).containsExactly("on", "on", "on", "on", "on", "off", "off", "off", "off", "off");
        assertThat(pods.getTextContent()).contains("with Headstart: the 5 slowest of 17", "without Headstart: the 5 slowest of 18",
                "shop/legacy-09");
        // each phase a bar with its own colour: the slowest pod without Headstart (created 12:00:17,
        // scheduled 12:00:56, initialized 12:00:59, Ready 12:02:05) has all three
        List<String> bars = barTitles(pods, "shop/legacy-09");
        assertThat(bars).containsExactly("shop/legacy-09: scheduling 39s", "shop/legacy-09: initialization 3s",
                "shop/legacy-09: startup 1m06s");
        assertThat(barFills(pods)).contains("#4e79a7", "#f28e2b", "#59a14f");
        Element nodes = (Element) svgs.item(1);
        assertThat(texts(nodes, "warm", "cold")).containsExactly("warm", "warm", "warm", "cold", "cold", "cold", "cold", "cold");
        assertThat(nodes.getTextContent()).contains("nothing measured yet");
        assertThat(page.getElementsByTagName("div").item(1).getTextContent())
                .isEqualTo("Half of Headstart's pods were Ready within 16s, half of the others within 1m10s: 54s faster at the median.");
    }

    private static List<String> texts(Element svg, String... values) {
        List<String> found = new ArrayList<>();
        NodeList texts = svg.getElementsByTagNameNS(SVG, "text");
        for (int i = 0; i < texts.getLength(); i++) {
            String text = texts.item(i).getTextContent();
            if (List.of(values).contains(text)) {
                found.add(text);
            }
        }
        return found;
    }

    private static List<String> barTitles(Element svg, String name) {
        List<String> titles = new ArrayList<>();
        NodeList rects = svg.getElementsByTagNameNS(SVG, "rect");
        for (int i = 0; i < rects.getLength(); i++) {
            String title = rects.item(i).getTextContent();
            if (title.startsWith(name + ":")) {
                titles.add(title);
            }
        }
        return titles;
    }

    private static List<String> barFills(Element svg) {
        List<String> fills = new ArrayList<>();
        NodeList rects = svg.getElementsByTagNameNS(SVG, "rect");
        for (int i = 0; i < rects.getLength(); i++) {
            if (!rects.item(i).getTextContent().isEmpty()) {
                fills.add(((Element) rects.item(i)).getAttribute("fill"));
            }
        }
        return fills;
    }

    @Test
    void readsTheLiveClusterPageByPage() throws Exception {
        JsonNode dump = Json.MAPPER.readTree(Path.of(DUMP).toFile());
        Map<String, String> uids = new java.util.HashMap<>();
        for (JsonNode item : dump.get("items")) {
            switch (item.get("kind").asText()) {
                // The mock server, like the API server, sets creationTimestamp itself and takes status
                // only through the status subresource: every recorded time moves by the same offset.
                case "Pod" -> {
                    Pod pod = client.getKubernetesSerialization().convertValue(item, Pod.class);
                    Pod created = client.resource(pod).create();
                    uids.put(pod.getMetadata().getUid(), created.getMetadata().getUid());
                    Duration shift = shift(pod.getMetadata(), created.getMetadata());
                    pod.getStatus().getConditions().forEach(c -> c.setLastTransitionTime(plus(c.getLastTransitionTime(), shift)));
                    created.setStatus(pod.getStatus());
                    client.resource(created).updateStatus();
                }
                case "Node" -> {
                    Node node = client.getKubernetesSerialization().convertValue(item, Node.class);
                    Node created = client.resource(node).create();
                    Duration shift = shift(node.getMetadata(), created.getMetadata());
                    created.getMetadata().getAnnotations().replaceAll((k, v) -> k.startsWith("headstart.dev/") && v.contains("T")
                            ? plus(v, shift) : v);
                    created = client.resource(created).update();
                    node.getStatus().getConditions().forEach(c -> c.setLastTransitionTime(plus(c.getLastTransitionTime(), shift)));
                    created.setStatus(node.getStatus());
                    client.resource(created).updateStatus();
                }
                default -> {
                    // the server gave the pods new uids; events name the pod by its uid
                    Event event = client.getKubernetesSerialization().convertValue(item, Event.class);
                    event.getInvolvedObject().setUid(uids.getOrDefault(event.getInvolvedObject().getUid(),
                            event.getInvolvedObject().getUid()));
                    client.resource(event).create();
                }
            }
        }
        int before = server.getRequestCount();
        for (int i = 0; i < before; i++) {
            ApiRequestRecorder.take(server);
        }
        CliRun run = CliRun.withCluster(client.getMasterUrl().toString(), () -> CliRun.of("startup", "-o", "json"));
        List<String> lists = new ArrayList<>();
        for (int i = server.getRequestCount() - before; i > 0; i--) {
            lists.add(ApiRequestRecorder.take(server).getPath());
        }
        // paged lists, every kind of all namespaces
        assertThat(lists).containsExactly("/api/v1/pods?limit=500", "/api/v1/nodes?limit=500", "/api/v1/events?limit=500");
        assertThat(run.exitCode()).as(run.err()).isZero();
        // every event read counts, as offline (of them, only the pulls are kept)
        assertThat(run.err()).startsWith("headstart: 37 pods, 8 nodes, 70 events").contains("read from cluster " + client.getMasterUrl());
        assertSameShapeAndFigures("", Json.MAPPER.readTree(run.out()),
                Json.MAPPER.readTree(Path.of("src/test/resources/startup/cluster-dump.expected.json").toFile()));
    }

    @Test
    void aClusterThatDoesNotAnswerIsAClearErrorWithinTheTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            long start = System.nanoTime();
            CliRun run = CliRun.withCluster("https://127.0.0.1:" + silent.getLocalPort(),
                    () -> CliRun.of("startup", "--timeout", "1s"));
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err().lines()).hasSize(1);
            assertThat(run.err()).startsWith("headstart: ").contains("127.0.0.1:" + silent.getLocalPort())
                    .contains("use -f with a kubectl dump to work offline");
            assertThat(System.nanoTime() - start).isLessThan(30_000_000_000L);
            assertThat(run.out()).isEmpty();
        }
    }

    @Test
    void badInputIsOneLineAndExitTwo(@TempDir Path dir) throws IOException {
        assertThat(CliRun.of("startup", "-f", DUMP, "-o", "xml").err())
                .isEqualTo("headstart: -o must be table, json or html, not 'xml'\n");
        CliRun missing = CliRun.of("startup", "-f", dir.resolve("nope.json").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("headstart: " + dir.resolve("nope.json") + ": no such file or directory\n");
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"kind\":\"List\",\"items\":[{\"kind\":\"Pod\",\"apiVersion\":\"v1\","
                + "\"metadata\":{\"name\":\"p\",\"namespace\":\"a\"},\"status\":{\"conditions\":\"not a list\"}}]}");
        CliRun bad = CliRun.of("startup", "-f", broken.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).startsWith("headstart: cannot read Pod a/p: ").hasLineCount(1);
        assertThat(bad.out()).isEmpty();
        assertThat(CliRun.of("startup", "-f", DUMP, "--timeout", "soon").exitCode()).isZero(); // unused offline
    }

    @Test
    void anEmptyDumpGivesZeroCountsAndNullFigures() throws IOException {
        CliRun run = CliRun.withStdin("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[]}", "startup", "-f", "-", "-o", "json");
        assertThat(run.exitCode()).isZero();
        JsonNode json = Json.MAPPER.readTree(run.out());
        assertThat(json.at("/pods/on/count").asInt()).isZero();
        assertThat(json.at("/pods/on/phases/total/p50").isNull()).isTrue();
        assertThat(json.at("/nodes/warmPool/phases/ready/max").isNull()).isTrue();
        CliRun html = CliRun.withStdin("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[]}", "startup", "-f", "-", "-o", "html");
        assertThat(html.out()).contains("<p>No pods to show.</p>").contains("<p>No nodes to show.</p>");
    }

    /** Same fields in the same order, same nulls, numbers equal to 1e-9. */
    static void assertSameShapeAndFigures(String at, JsonNode actual, JsonNode expected) {
        assertThat(actual.getNodeType()).as(at).isEqualTo(expected.getNodeType());
        if (expected.isObject()) {
            List<String> names = new ArrayList<>();
            actual.fieldNames().forEachRemaining(names::add);
            List<String> wanted = new ArrayList<>();
            expected.fieldNames().forEachRemaining(wanted::add);
            assertThat(names).as(at).isEqualTo(wanted);
            for (Iterator<Map.Entry<String, JsonNode>> fields = expected.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                assertSameShapeAndFigures(at + "/" + field.getKey(), actual.get(field.getKey()), field.getValue());
            }
        } else if (expected.isNumber()) {
            assertThat(actual.asDouble()).as(at).isCloseTo(expected.asDouble(), within(1e-9));
            assertThat(actual.isIntegralNumber()).as(at + " integral").isEqualTo(expected.isIntegralNumber());
        } else {
            assertThat(actual).as(at).isEqualTo(expected);
        }
    }

    private static Duration shift(ObjectMeta dumped, ObjectMeta created) {
        return Duration.between(Instant.parse(dumped.getCreationTimestamp()), OffsetDateTime.parse(created.getCreationTimestamp()));
    }

    private static String plus(String time, Duration shift) {
        return OffsetDateTime.parse(time).plus(shift).toInstant().toString();
    }
}
