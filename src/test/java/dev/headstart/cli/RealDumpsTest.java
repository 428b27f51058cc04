package dev.headstart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * What real cluster dumps hold and the first version could not read (issue 21): large YAML, JSON
 * in a file not named *.json, nulls and wrong types in one object, events.k8s.io events,
 * duplicates across files, nodes without a creation time, skewed clocks, long spans, a C locale.
 */
class RealDumpsTest {

    static final String SVG = "http://www.w3.org/2000/svg";

    /** A Ready pod of namespace shop, created at 12:00:00 plus {@code offset} seconds. */
    static String pod(String name, boolean headstart, int offset, int readyAfter) {
        String created = at(offset);
        return """
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "%s", "namespace": "shop", "uid": "uid-%s",
                  "creationTimestamp": "%s"%s},
                 "status": {"containerStatuses": [{"name": "app", "restartCount": 0}],
                  "conditions": [{"type": "PodScheduled", "status": "True", "lastTransitionTime": "%s"},
                                 {"type": "Initialized", "status": "True", "lastTransitionTime": "%s"},
                                 {"type": "Ready", "status": "True", "lastTransitionTime": "%s"}]}}"""
                .formatted(name, name, created, headstart ? ", \"annotations\": {\"headstart.dev/applied\": \"priority-class\"}" : "",
                        at(offset + 1), at(offset + 2), at(offset + readyAfter));
    }

    static String at(int seconds) {
        return java.time.Instant.parse("2026-11-21T12:00:00Z").plusSeconds(seconds).toString();
    }

    static String list(List<String> items) {
        return "{\"apiVersion\": \"v1\", \"items\": [\n" + String.join(",\n", items) + "\n], \"kind\": \"List\", \"metadata\": {}}";
    }

    static JsonNode json(CliRun run) throws IOException {
        assertThat(run.exitCode()).as(run.err()).isZero();
        return Json.MAPPER.readTree(run.out());
    }

    // 1. size and format

    @Test
    void aYamlDumpOverThreeMiBIsRead(@TempDir Path dir) throws IOException {
        List<String> pods = new ArrayList<>();
        for (int i = 0; i < 6000; i++) {
            pods.add(pod("p-" + i, i % 2 == 0, i % 60, 10 + i % 50));
        }
        String yaml = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().writeValueAsString(Json.MAPPER.readTree(list(pods)));
        assertThat(yaml.length()).isGreaterThan(3 * 1024 * 1024);
        Path file = dir.resolve("dump.yaml");
        Files.writeString(file, yaml);
        JsonNode report = json(CliRun.of("startup", "-f", file.toString(), "-o", "json"));
        assertThat(report.at("/pods/on/count").asInt() + report.at("/pods/off/count").asInt()).isEqualTo(6000);
    }

    @Test
    void jsonIsToldFromTheContentNotTheFileName(@TempDir Path dir) throws IOException {
        List<String> pods = new ArrayList<>();
        for (int i = 0; i < 6000; i++) {
            pods.add(pod("p-" + i, true, 0, 10));
        }
        Path file = dir.resolve("cluster-info.yaml"); // what `kubectl cluster-info dump` names JSON
        Files.writeString(file, list(pods));
        assertThat(Files.size(file)).isGreaterThan(3 * 1024 * 1024);
        assertThat(json(CliRun.of("startup", "-f", file.toString(), "-o", "json")).at("/pods/on/count").asInt()).isEqualTo(6000);
    }

    @Test
    void theDocumentBoundIsConfigurableAndNamesItselfWhenHit(@TempDir Path dir) throws IOException {
        List<String> pods = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            pods.add(pod("p-" + i, true, 0, 10));
        }
        Path file = dir.resolve("dump.yaml");
        Files.writeString(file, new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().writeValueAsString(Json.MAPPER.readTree(list(pods))));
        CliRun run = CliRun.of("startup", "-f", file.toString(), "--max-document-size", "1Mi");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("headstart: " + file + ": a document is larger than --max-document-size (1Mi); "
                + "raise it, e.g. --max-document-size=2Mi\n");
        Path asJson = dir.resolve("dump.json");
        Files.writeString(asJson, list(pods));
        CliRun jsonRun = CliRun.of("startup", "-f", asJson.toString(), "--max-document-size", "1Mi");
        assertThat(jsonRun.err()).contains("larger than --max-document-size (1Mi)");
        assertThat(CliRun.of("startup", "-f", asJson.toString(), "--max-document-size", "lots").err())
                .isEqualTo("headstart: --max-document-size must be a size like 2Gi or 500Mi, not 'lots'\n");
    }

    /** A stream that gives the bytes, then fails: what was handed on before the failure was streamed. */
    static InputStream thenBroken(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new InputStream() {
            int at;

            @Override
            public int read() throws IOException {
                if (at >= bytes.length) {
                    throw new IOException("connection reset");
                }
                return bytes[at++] & 0xff;
            }
        };
    }

    @Test
    void itemsAreHandedOnOneAtATimeAsTheyAreParsed() {
        String head = "{\"apiVersion\": \"v1\", \"items\": [" + pod("a", true, 0, 10) + ", null, " + pod("b", true, 0, 10) + ", ";
        List<String> seen = new ArrayList<>();
        ManifestReader reader = new ManifestReader("-", thenBroken(head), 1L << 30);
        try {
            reader.each(object -> seen.add(object.at("/metadata/name").asText()));
            throw new AssertionError("the broken stream was read to its end");
        } catch (InputException e) {
            assertThat(e.getMessage()).contains("connection reset");
        }
        assertThat(seen).containsExactly("a", "b"); // null skipped; both before the input ended
    }

    @Test
    void mutateWritesAsItReads() {
        String yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: two}\n---\n";
        StringBuilder out = new StringBuilder();
        var cli = new picocli.CommandLine(new HeadstartCommand(), new picocli.CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                K made = picocli.CommandLine.defaultFactory().create(type);
                if (made instanceof MutateCommand m) {
                    m.stdin = thenBroken(yaml);
                }
                return made;
            }
        });
        java.io.StringWriter written = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        cli.setOut(new java.io.PrintWriter(written, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        int code = cli.execute("mutate", "-f", "-");
        out.append(written);
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("connection reset").hasLineCount(1);
        assertThat(out.toString()).contains("name: one").contains("name: two");
    }

    // 4. per-object robustness

    @Test
    void nullsInListsAreSkippedAndAnUnreadableObjectIsSkippedAndCounted() throws IOException {
        String nulls = pod("nulls", true, 0, 9)
                .replace("\"conditions\": [", "\"conditions\": [null, ")
                .replace("\"containerStatuses\": [", "\"containerStatuses\": [null, ");
        String lots = pod("lots", true, 0, 9).replace("\"restartCount\": 0", "\"restartCount\": \"lots\"");
        String alsoBad = pod("bad", false, 0, 9).replace("\"conditions\": [", "\"conditions\": {\"x\": [").replace("]}}", "]}}}");
        CliRun run = CliRun.withStdin(list(List.of(nulls, lots, pod("fine", false, 0, 30), alsoBad)), "startup", "-f", "-", "-o", "json");
        JsonNode report = json(run);
        assertThat(report.at("/pods/on/count").asInt()).isEqualTo(1);
        assertThat(report.at("/pods/on/phases/total/p50").asDouble()).isEqualTo(9.0);
        assertThat(report.at("/pods/off/phases/total/p50").asDouble()).isEqualTo(30.0);
        assertThat(run.err()).startsWith("headstart: 2 objects skipped: first reason: cannot read Pod shop/lots: ")
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(run.err().lines()).hasSize(2);
    }

    // 6. events.k8s.io, duplicates, nodes

    @Test
    void eventsOfTheEventsApiAreReadLikeCoreEvents() throws IOException {
        String pulled = """
                {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "a.1", "namespace": "shop", "uid": "e-1"},
                 "reason": "Pulled", "note": "Successfully pulled image \\"nginx:1.27\\" in 4.5s (4.5s including waiting). Image size: 1 bytes.",
                 "regarding": {"kind": "Pod", "namespace": "shop", "name": "a", "uid": "uid-a"},
                 "reportingController": "kubelet", "eventTime": null, "deprecatedFirstTimestamp": "2026-11-21T12:00:05Z"}""";
        String cached = pulled.replace("e-1", "e-2").replace("Successfully pulled image \\\"nginx:1.27\\\" in 4.5s (4.5s including waiting). Image size: 1 bytes.",
                "Container image \\\"busybox\\\" already present on machine");
        // `kubectl get events.events.k8s.io -o json` prints an EventList whose items carry no kind when listed raw
        String typed = "{\"apiVersion\": \"events.k8s.io/v1\", \"kind\": \"EventList\", \"items\": ["
                + cached.replace("\"apiVersion\": \"events.k8s.io/v1\", \"kind\": \"Event\", ", "") + "]}";
        CliRun run = CliRun.withStdin(list(List.of(pod("a", true, 0, 10), pulled)) + "\n" + typed, "startup", "-f", "-", "-o", "json");
        JsonNode report = json(run);
        assertThat(report.at("/pods/on/imagePulls/count").asInt()).isEqualTo(2);
        assertThat(report.at("/pods/on/imagePulls/cached").asInt()).isEqualTo(1);
        assertThat(report.at("/pods/on/imagePulls/seconds/max").asDouble()).isEqualTo(4.5);
    }

    @Test
    void objectsInTwoFilesCountOnceAndEveryListedNodeCounts(@TempDir Path dir) throws IOException {
        String node = """
                {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n-%s", "uid": "node-%s"%s},
                 "status": {"conditions": [null, {"type": "Ready", "status": "True", "lastTransitionTime": "%s"}]}}""";
        String fresh = node.formatted("1", "1", ", \"creationTimestamp\": \"" + at(0) + "\"", at(50));
        String noCreation = node.formatted("2", "2", "", at(50));
        String flapped = node.formatted("3", "3", ", \"creationTimestamp\": \"" + at(0) + "\"", at(129 * 3600));
        Files.writeString(dir.resolve("a-pods.json"), list(List.of(pod("a", true, 0, 10), pod("b", false, 0, 20), fresh)));
        Files.writeString(dir.resolve("b-all.json"), list(List.of(pod("a", true, 0, 10), fresh, noCreation, flapped)));
        CliRun run = CliRun.of("startup", "-f", dir.toString(), "-o", "json");
        JsonNode report = json(run);
        assertThat(report.at("/pods/on/count").asInt()).isEqualTo(1);
        assertThat(report.at("/pods/off/count").asInt()).isEqualTo(1);
        assertThat(report.at("/nodes/cold/count").asInt()).isEqualTo(3);
        assertThat(report.at("/nodes/cold/phases/ready/count").asInt()).isEqualTo(1);
        assertThat(report.at("/nodes/cold/phases/ready/max").asDouble()).isEqualTo(50.0); // not 129 h
        assertThat(run.err()).startsWith("headstart: 2 pods, 3 nodes, 0 events read from " + dir + "\n")
                .contains("2 duplicate objects").contains("0 pods' phases, 1 nodes' ready");
    }

    @Test
    void aPodReadyPastTheHorizonIsNoStart() throws IOException {
        CliRun run = CliRun.withStdin(list(List.of(pod("flap", true, 0, 2 * 3600), pod("ok", true, 0, 12))),
                "startup", "-f", "-", "-o", "json");
        JsonNode report = json(run);
        assertThat(report.at("/pods/on/count").asInt()).isEqualTo(1);
        assertThat(report.at("/pods/on/phases/total/max").asDouble()).isEqualTo(12.0);
        assertThat(run.err()).contains("1 pods' phases");
    }

    // 5 and 7. the waterfall

    @Test
    void skewedClocksNeverDrawBeforeZeroAndAreCounted() throws Exception {
        // kube-proxy, Initialized one second before its creation: startup 7 s > total 6 s
        String proxy = pod("kube-proxy-x", false, 0, 6).replace("\"lastTransitionTime\": \"" + at(2) + "\"",
                "\"lastTransitionTime\": \"" + at(-1) + "\"");
        CliRun run = CliRun.withStdin(list(List.of(proxy, pod("ok", false, 0, 20))), "startup", "-f", "-", "-o", "html");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("1 pods with a phase longer than total (clocks disagree)");
        Element svg = svgs(run.out()).get(0);
        NodeList rects = svg.getElementsByTagNameNS(SVG, "rect");
        for (int i = 0; i < rects.getLength(); i++) {
            assertThat(Double.parseDouble(((Element) rects.item(i)).getAttribute("x"))).isGreaterThanOrEqualTo(0);
            if (rects.item(i).getTextContent().startsWith("shop/kube-proxy-x: startup")) {
                throw new AssertionError("startup drawn though it is longer than total");
            }
        }
        JsonNode report = json(CliRun.withStdin(list(List.of(proxy)), "startup", "-f", "-", "-o", "json"));
        assertThat(report.at("/pods/off/phases/total/count").asInt()).isZero();
        assertThat(report.at("/pods/off/phases/startup/count").asInt()).isZero();
    }

    @Test
    void axisTicksStayReadablePastAHundredHours() throws Exception {
        String node = """
                {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "slow", "uid": "slow", "creationTimestamp": "%s",
                  "annotations": {"headstart.dev/image-cache-complete": "%s"}}}""".formatted(at(0), at(129 * 3600));
        CliRun run = CliRun.withStdin(list(List.of(node)), "startup", "-f", "-", "-o", "html");
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<Element> all = svgs(run.out());
        Element svg = all.get(all.size() - 1);
        List<Double> ticks = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        NodeList texts = svg.getElementsByTagNameNS(SVG, "text");
        for (int i = 0; i < texts.getLength(); i++) {
            Element text = (Element) texts.item(i);
            if ("middle".equals(text.getAttribute("text-anchor")) && text.getAttribute("y").equals("22")) {
                ticks.add(Double.parseDouble(text.getAttribute("x")));
                labels.add(text.getTextContent());
            }
        }
        assertThat(ticks.size()).isBetween(3, 9);
        for (int i = 1; i < ticks.size(); i++) {
            // a label is at most ~6 characters of 12 px type: 60 px apart never overlap
            assertThat(ticks.get(i) - ticks.get(i - 1)).isGreaterThan(60);
        }
        assertThat(labels).contains("0s", "1d", "5d");
        assertThat(StartupPage.step(100 * 3600)).isEqualTo(86400);
        assertThat(StartupPage.step(3e8)).isLessThanOrEqualTo(3e8 / 4).isGreaterThanOrEqualTo(3e8 / 8);
    }

    static List<Element> svgs(String html) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document page = factory.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        NodeList svgs = page.getElementsByTagNameNS(SVG, "svg");
        List<Element> all = new ArrayList<>();
        for (int i = 0; i < svgs.getLength(); i++) {
            all.add((Element) svgs.item(i));
        }
        return all;
    }

    // 3. UTF-8 whatever the locale

    @Test
    void outputIsUtf8UnderTheCLocale() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        {
            String output = "html";
            ProcessBuilder process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    "dev.headstart.HeadstartMain", "startup", "-f", StartupCommandTest.DUMP, "-o", output);
            process.environment().put("LANG", "C");
            process.environment().put("LC_ALL", "C");
            process.environment().remove("JAVA_TOOL_OPTIONS");
            process.environment().remove("JDK_JAVA_OPTIONS");
            process.redirectError(ProcessBuilder.Redirect.DISCARD);
            Process started = process.start();
            byte[] bytes = started.getInputStream().readAllBytes();
            assertThat(started.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(started.exitValue()).isZero();
            String text = new String(bytes, StandardCharsets.UTF_8);
            // the page declares UTF-8: "·" after the source, "on − off", "–" for a missing figure (the
            // table prints the same figures through the same writer)
            assertThat(text).contains("\u00b7", "\u2212", "\u2013").doesNotContain("?");
        }
    }

    @Test
    void sizesReadAsKubernetesQuantities() throws InputException {
        assertThat(ManifestReader.parseSize("2Gi")).isEqualTo(2L << 30);
        assertThat(ManifestReader.parseSize("500Mi")).isEqualTo(500L << 20);
        assertThat(ManifestReader.parseSize("100M")).isEqualTo(100_000_000L);
        assertThat(ManifestReader.human(3L << 30)).isEqualTo("3Gi");
        assertThat((double) ManifestReader.parseSize("1")).isCloseTo(1, within(0.0));
    }
}
