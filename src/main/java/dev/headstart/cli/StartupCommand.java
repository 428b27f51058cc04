package dev.headstart.cli;

import dev.headstart.json.Json;
import dev.headstart.telemetry.StartupReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code headstart startup}: per phase, how long pods took to become Ready with Headstart and
 * without, and how long nodes took to start, from a {@code kubectl} dump or the live cluster.
 */
@Command(name = "startup", mixinStandardHelpOptions = true,
        description = {"How long pods and nodes take to start, per phase, with Headstart (on) and without (off).",
                "Reads what 'kubectl get pods,nodes,events -A -o json' prints (-f FILE or -f - for standard input), "
                        + "or without -f the cluster of the current kubeconfig."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:report printed", "1:the cluster could not be read", "2:usage or input error"})
public class StartupCommand implements Callable<Integer> {

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE|-",
            description = "A kubectl dump (JSON or YAML List, a file, a directory of them, or - for standard input).")
    String source;

    @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "table|json|html",
            description = "table (default): phases as rows, on and off side by side; json; html: one self-contained page.")
    String output;

    @Option(names = "--slowest", defaultValue = "12", paramLabel = "N",
            description = "How many of the slowest pods and nodes of each group the html waterfall shows (default 12).")
    int slowest;

    @Option(names = "--timeout", defaultValue = "60s", paramLabel = "DURATION",
            description = "How long to wait for the live cluster, e.g. 30s or 2m (default 60s).")
    String timeout;

    @Spec
    CommandSpec spec;

    /** Standard input; tests replace it. */
    InputStream stdin = System.in;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!output.equals("table") && !output.equals("json") && !output.equals("html")) {
            return RuleOptions.inputError(err, "-o must be table, json or html, not '" + output + "'");
        }
        if (slowest < 0) {
            return RuleOptions.inputError(err, "--slowest must not be negative");
        }
        StartupObjects objects;
        String from;
        ObjectSource.Read<StartupObjects> read = ObjectSource.read(source, stdin, StartupObjects::read, timeout, StartupObjects::list, err);
        if (read.failed()) {
            return read.exitCode();
        }
        objects = read.objects();
        from = read.from();
        StartupReport report = StartupReport.of(objects.pods(), objects.nodes(), objects.events());
        switch (output) {
            case "json" -> {
                try {
                    out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report.toJson()));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
                out.flush();
            }
            case "html" -> StartupPage.print(out, report, from, slowest);
            default -> StartupTable.print(out, report);
        }
        err.println("headstart: " + objects.pods().size() + " pods, " + objects.nodes().size() + " nodes, "
                + objects.events().size() + " events read from " + from);
        err.flush();
        return 0;
    }
}
