package dev.headstart.cli;

import dev.headstart.json.Json;
import dev.headstart.telemetry.StartupReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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

    @Mixin
    ObjectSource input;

    @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "table|json|html",
            description = "table (default): phases as rows, on and off side by side; json; html: one self-contained page.")
    String output;

    @Option(names = "--slowest", defaultValue = "12", paramLabel = "N",
            description = "How many of the slowest pods and nodes of each group the html waterfall shows (default 12).")
    int slowest;

    @Spec
    CommandSpec spec;

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
        ObjectSource.Read<StartupObjects> read = input.read(StartupObjects::read, StartupObjects::list, err);
        if (read.failed()) {
            return read.exitCode();
        }
        StartupObjects objects = read.objects();
        String from = read.from();
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
