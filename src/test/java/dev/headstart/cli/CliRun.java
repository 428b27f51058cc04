package dev.headstart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Runs the headstart picocli command in-process, as the jar does, capturing output and exit code. */
record CliRun(int exitCode, String out, String err) {

    static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

    static CliRun of(String... args) {
        return withStdin("", args);
    }

    static CliRun withStdin(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new HeadstartCommand(), new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                K made = CommandLine.defaultFactory().create(type);
                if (made instanceof MutateCommand m) {
                    m.stdin = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
                }
                if (made instanceof ObjectSource o) { // startup and images read through it
                    o.stdin = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
                }
                if (made instanceof AuditCommand a) {
                    a.stdin = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
                    a.clock = Clock.fixed(NOW, ZoneOffset.UTC);
                }
                return made;
            }
        });
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /**
     * Runs with the client pointed at the API server at {@code url} through fabric8's system
     * properties (trusting its certificate), reading neither a kubeconfig nor a ServiceAccount, as
     * a command run against a live cluster; the properties are cleared afterwards.
     */
    static <T> T withCluster(String url, Supplier<T> run) {
        Map<String, String> properties = Map.of("kubernetes.master", url, "kubernetes.trust.certificates", "true",
                "kubernetes.auth.tryKubeConfig", "false", "kubernetes.auth.tryServiceAccount", "false");
        properties.forEach(System::setProperty);
        try {
            return run.get();
        } finally {
            properties.keySet().forEach(System::clearProperty);
        }
    }

    List<JsonNode> documents() {
        try {
            return ManifestReader.read("-", new ByteArrayInputStream(out.getBytes(StandardCharsets.UTF_8)));
        } catch (InputException e) {
            throw new AssertionError("output is not YAML: " + e.getMessage() + "\n" + out);
        }
    }
}
