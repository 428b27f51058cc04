package dev.headstart.cli;

import dev.headstart.text.OneLine;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import picocli.CommandLine.Option;

import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Where a read-only report command (startup, images) gets its objects, and the options that say so
 * (a picocli mixin): a kubectl dump given with {@code -f}, or the live cluster of the kubeconfig
 * within {@code --timeout}. A failure is printed as one line and becomes the command's exit code:
 * 2 for bad input, 1 for an unreachable cluster.
 */
final class ObjectSource {

    /** The longest a connection may take, whatever --timeout allows. */
    private static final Duration CONNECT = Duration.ofSeconds(10);

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE|-",
            description = "A kubectl dump (JSON or YAML, a List or documents, a file, a directory of them, or - for standard input); "
                    + "without it, the live cluster of the kubeconfig.")
    String source;

    @Option(names = "--timeout", defaultValue = "60s", paramLabel = "DURATION",
            description = "How long to wait for the live cluster, e.g. 30s or 2m (default 60s).")
    String timeout;

    @Option(names = ManifestReader.MAX_DOCUMENT_OPTION, defaultValue = ManifestReader.DEFAULT_MAX_DOCUMENT_SIZE,
            paramLabel = "SIZE", description = "The largest dump file or YAML document to read, e.g. 4Gi (default 2Gi).")
    String maxDocumentSize;

    /** Standard input; tests replace it. */
    InputStream stdin = System.in;

    /** Reduces a dump (a file, a directory, or standard input for {@code -}), streamed object by object. */
    @FunctionalInterface
    interface DumpReader<T> {
        T read(ManifestReader dump) throws InputException;
    }

    /** The objects and where they came from, or (objects null) the exit code of the printed failure. */
    record Read<T>(T objects, String from, int exitCode) {
        boolean failed() {
            return objects == null;
        }
    }

    <T> Read<T> read(DumpReader<T> dump, Function<KubernetesClient, T> live, PrintWriter err) {
        if (source != null) {
            try {
                ManifestReader reader = new ManifestReader(source, stdin, ManifestReader.parseSize(maxDocumentSize));
                T objects = dump.read(reader);
                reader.tally().report(err);
                return new Read<>(objects, reader.from(), 0);
            } catch (InputException e) {
                return new Read<>(null, null, RuleOptions.inputError(err, e.getMessage()));
            }
        }
        Duration wait;
        try {
            wait = Duration.parse("PT" + timeout.toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            return new Read<>(null, null,
                    RuleOptions.inputError(err, "--timeout must be a duration like 30s or 2m, not '" + timeout + "'"));
        }
        Config config = LiveClusterConfig.kubeconfig(wait, wait.compareTo(CONNECT) < 0 ? wait : CONNECT).build();
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
            CompletableFuture<T> listed = CompletableFuture.supplyAsync(() -> live.apply(client));
            try {
                return new Read<>(listed.get(wait.toMillis(), TimeUnit.MILLISECONDS), "cluster " + client.getMasterUrl(), 0);
            } catch (TimeoutException e) {
                listed.cancel(true);
                return unreachable(err, "the cluster at " + client.getMasterUrl() + " did not answer within " + timeout
                        + " (use -f with a kubectl dump to work offline)");
            } catch (ExecutionException e) {
                return unreachable(err, "cannot read the cluster at " + client.getMasterUrl() + ": "
                        + OneLine.of(e.getCause()) + " (use -f with a kubectl dump to work offline)");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Read<>(null, null, 1);
            }
        } catch (KubernetesClientException e) {
            return unreachable(err, "cannot read the cluster: " + OneLine.of(e));
        }
    }

    private static <T> Read<T> unreachable(PrintWriter err, String message) {
        err.println("headstart: " + message);
        return new Read<>(null, null, 1);
    }
}
