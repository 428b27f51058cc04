package dev.headstart.controller.warmpool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launch-template user data of docs/warm-pools.md (kept in docs/user-data/, and the docs must
 * show exactly those files). The shell parts run with bash in a temp dir against stand-ins: a
 * {@code curl} that answers like IMDSv2 (and like real curl, prints an error page with exit 0 on an
 * HTTP error unless {@code -f}), and a {@code bootstrap.sh} that records its arguments. What they
 * write is read back as the kubelet would get it: AL2's {@code --kubelet-extra-args}, AL2023's
 * NodeConfig drop-in merged the way nodeadm merges {@code kubelet.flags} (appended; nodeadm
 * internal/api merge.go), Bottlerocket's {@code settings.kubernetes.node-taints}.
 */
class WarmPoolUserDataTest {

    static final Path SNIPPETS = Path.of("docs/user-data");
    static final String FLAG = "--register-with-taints=";
    /** {@code headstart.warm-pool.taint}'s default: what the snippets must register. */
    static final WarmupTaint DEFAULT_TAINT = WarmupTaint.parse("headstart.dev/warmup=true:NoSchedule");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path root;

    /** IMDS answers: the target lifecycle state, or "404" for an HTTP error. */
    static final String FAKE_CURL = """
            #!/bin/bash
            fail=0; method=GET; url=""; token=""; prev=""
            for a in "$@"; do
              case "$prev" in
                -X) method="$a" ;;
                -H) case "$a" in X-aws-ec2-metadata-token:*) token="${a#*: }" ;; esac ;;
              esac
              case "$a" in
                --*) ;;
                -*f*) fail=1 ;;
                http*) url="$a" ;;
              esac
              prev="$a"
            done
            error() {
              if [ "$fail" = 1 ]; then echo "curl: (22) The requested URL returned error: $1" >&2; exit 22; fi
              echo "<?xml version=\\"1.0\\"?><html><title>$1 - Not Found</title></html>"; exit 0
            }
            case "$url" in
              */latest/api/token) [ "$method" = PUT ] || error 405; printf 'AQAEAtoken' ;;
              */latest/meta-data/autoscaling/target-lifecycle-state)
                [ "$token" = AQAEAtoken ] || error 401
                [ "$FAKE_STATE" = 404 ] && error 404
                printf '%s' "$FAKE_STATE" ;;
              *) error 404 ;;
            esac
            """;

    static final String FAKE_BOOTSTRAP = """
            #!/bin/bash
            printf '%s\\n' "$@" > "$(dirname "$0")/bootstrap.args"
            """;

    /** Runs the snippet with /etc/ moved under the temp dir and the stand-ins on PATH. */
    Path run(String snippet, String state) throws Exception {
        Path bin = Files.createDirectories(root.resolve("bin"));
        Path eks = Files.createDirectories(root.resolve("etc/eks"));
        executable(bin.resolve("curl"), FAKE_CURL);
        executable(eks.resolve("bootstrap.sh"), FAKE_BOOTSTRAP);
        String script = Files.readString(SNIPPETS.resolve(snippet)).replace("/etc/", root + "/etc/");
        Path file = root.resolve("user-data.sh");
        Files.writeString(file, script);
        ProcessBuilder process = new ProcessBuilder("bash", file.toString()).redirectErrorStream(true);
        process.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        process.environment().put("FAKE_STATE", state);
        Process p = process.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("user data exit status; output:\n" + output).isZero();
        return root;
    }

    static void executable(Path path, String text) throws IOException {
        Files.writeString(path, text);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The taint a kubelet flag list registers, if any. */
    static List<WarmupTaint> taints(List<String> kubeletFlags) {
        return kubeletFlags.stream().filter(f -> f.startsWith(FLAG))
                .flatMap(f -> Stream.of(f.substring(FLAG.length()).split(",")))
                .map(WarmupTaint::parse).toList();
    }

    // --- Amazon Linux 2 ---

    List<String> al2KubeletFlags(String state) throws Exception {
        List<String> args = Files.readAllLines(run("al2.sh", state).resolve("etc/eks/bootstrap.args"));
        assertThat(args.get(0)).isEqualTo("my-cluster");
        int at = args.indexOf("--kubelet-extra-args");
        assertThat(at).isPositive();
        String extra = at + 1 < args.size() ? args.get(at + 1) : "";
        return extra.isBlank() ? List.of() : List.of(extra.trim().split("\\s+"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Warmed:Stopped", "Warmed:Running", "Warmed:Hibernated"})
    void al2RegistersTaintedWhenLaunchedIntoThePool(String state) throws Exception {
        assertThat(taints(al2KubeletFlags(state))).containsExactly(DEFAULT_TAINT);
    }

    @Test
    void al2RegistersUntaintedWhenLaunchedStraightIntoService() throws Exception {
        assertThat(taints(al2KubeletFlags("InService"))).isEmpty();
    }

    @Test
    void al2RegistersTaintedWhenMetadataAnswersWithAnError() throws Exception {
        // Without -f, curl would print the error page and the script would take it for the state.
        assertThat(taints(al2KubeletFlags("404"))).containsExactly(DEFAULT_TAINT);
    }

    // --- Amazon Linux 2023 ---

    /** The kubelet flags nodeadm ends with: the user data's NodeConfig flags, then every drop-in's (appended). */
    List<String> al2023KubeletFlags(String state) throws Exception {
        Path dir = run("al2023.sh", state).resolve("etc/eks/nodeadm.d");
        List<String> flags = new ArrayList<>(nodeConfigFlags(userDataNodeConfig()));
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.sorted().toList()) {
                    JsonNode config = YAML.readTree(file.toFile());
                    assertThat(config.path("apiVersion").asText()).isEqualTo("node.eks.aws/v1alpha1");
                    assertThat(config.path("kind").asText()).isEqualTo("NodeConfig");
                    // No kubelet.config: nodeadm need not (and a minimal NodeConfig does not) pass --config-dir.
                    assertThat(config.path("spec").path("kubelet").has("config")).isFalse();
                    flags.addAll(nodeConfigFlags(config));
                }
            }
        }
        return flags;
    }

    static List<String> nodeConfigFlags(JsonNode config) {
        List<String> flags = new ArrayList<>();
        config.path("spec").path("kubelet").path("flags").forEach(f -> flags.add(f.asText()));
        return flags;
    }

    /** The MIME document's application/node.eks.aws part. */
    static JsonNode userDataNodeConfig() throws IOException {
        return YAML.readTree(mimeParts().get("application/node.eks.aws"));
    }

    static Map<String, String> mimeParts() throws IOException {
        String mime = Files.readString(SNIPPETS.resolve("al2023-user-data.mime"));
        Map<String, String> parts = new java.util.LinkedHashMap<>();
        for (String part : mime.split("--BOUNDARY(--)?\n")) {
            Matcher type = Pattern.compile("^Content-Type: ([^;\\n]+)[^\\n]*\\n\\n", Pattern.DOTALL).matcher(part);
            if (type.find()) {
                parts.put(type.group(1).trim(), part.substring(type.end()));
            }
        }
        return parts;
    }

    @ParameterizedTest
    @ValueSource(strings = {"Warmed:Stopped", "Warmed:Running", "Warmed:Hibernated", "404"})
    void al2023RegistersTaintedWhenLaunchedIntoThePool(String state) throws Exception {
        assertThat(taints(al2023KubeletFlags(state))).containsExactly(DEFAULT_TAINT);
    }

    @Test
    void al2023RegistersUntaintedWhenLaunchedStraightIntoService() throws Exception {
        assertThat(taints(al2023KubeletFlags("InService"))).isEmpty();
        assertThat(root.resolve("etc/eks/nodeadm.d")).doesNotExist();
    }

    @Test
    void al2023MimeCarriesTheTestedShellPartAfterTheNodeConfig() throws IOException {
        Map<String, String> parts = mimeParts();
        assertThat(parts.keySet()).containsExactly("application/node.eks.aws", "text/x-shellscript");
        assertThat(parts.get("text/x-shellscript").strip()).isEqualTo(Files.readString(SNIPPETS.resolve("al2023.sh")).strip());
        assertThat(userDataNodeConfig().path("spec").path("cluster").path("name").asText()).isEqualTo("my-cluster");
    }

    @ParameterizedTest
    @ValueSource(strings = {"al2.sh", "al2023.sh"})
    void everyMetadataReadFailsOnAnHttpError(String snippet) throws IOException {
        List<String> curls = Files.readAllLines(SNIPPETS.resolve(snippet)).stream()
                .filter(l -> l.contains("curl ")).toList();
        assertThat(curls).hasSize(2).allSatisfy(l -> assertThat(l).containsPattern("curl -[a-zA-Z]*f"));
    }

    // --- Bottlerocket ---

    @Test
    void bottlerocketRegistersEveryNodeTainted() throws IOException {
        List<String> lines = Files.readAllLines(SNIPPETS.resolve("bottlerocket.toml"));
        int table = lines.indexOf("[settings.kubernetes.node-taints]");
        assertThat(table).isPositive();
        List<WarmupTaint> taints = new ArrayList<>();
        Pattern entry = Pattern.compile("^\"?([^\"=\\s]+)\"?\\s*=\\s*\\[(.*)]$");
        for (String line : lines.subList(table + 1, lines.size())) {
            if (line.startsWith("[")) {
                break;
            }
            Matcher m = entry.matcher(line.trim());
            if (m.matches()) {
                for (String valueEffect : m.group(2).split(",")) {
                    taints.add(WarmupTaint.parse(m.group(1) + "=" + valueEffect.trim().replace("\"", "")));
                }
            }
        }
        assertThat(taints).containsExactly(DEFAULT_TAINT);
    }

    // --- the docs show these files, and nothing else as user data ---

    @Test
    void docsShowExactlyTheTestedSnippets() throws IOException {
        String docs = Files.readString(Path.of("docs/warm-pools.md"));
        List<String> blocks = new ArrayList<>();
        Matcher fence = Pattern.compile("```[a-z]*\\n(.*?)```", Pattern.DOTALL).matcher(docs);
        while (fence.find()) {
            blocks.add(fence.group(1));
        }
        for (String snippet : List.of("al2.sh", "al2023.sh", "al2023-user-data.mime", "bottlerocket.toml")) {
            assertThat(blocks).as("a code block in docs/warm-pools.md equal to docs/user-data/" + snippet)
                    .contains(Files.readString(SNIPPETS.resolve(snippet)));
        }
        List<String> tested = List.of(Files.readString(SNIPPETS.resolve("al2.sh")),
                Files.readString(SNIPPETS.resolve("al2023.sh")), Files.readString(SNIPPETS.resolve("al2023-user-data.mime")));
        assertThat(blocks).as("user data in the docs that is not a tested snippet")
                .filteredOn(b -> b.contains("target-lifecycle-state") || b.contains("registerWithTaints"))
                .allSatisfy(b -> assertThat(tested).contains(b));
    }
}
