package dev.headstart.cli;

import dev.headstart.json.Json;
import dev.headstart.telemetry.PodStartup;
import dev.headstart.telemetry.SecondsText;
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
        // only the page draws pods one by one: the other outputs keep none
        int keep = output.equals("html") ? slowest : 0;
        ObjectSource.Read<StartupReport> read = input.read(dump -> StartupObjects.read(dump, keep),
                client -> StartupObjects.list(client, keep), err);
        if (read.failed()) {
            return read.exitCode();
        }
        StartupReport report = read.objects();
        String from = read.from();
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
        StartupReport.Counts counts = report.counts();
        err.println("headstart: " + counts.pods() + " pods, " + counts.nodes() + " nodes, "
                + counts.events() + " events read from " + from);
        if (counts.duplicates() > 0) {
            err.println("headstart: " + counts.duplicates() + " duplicate objects (the same uid again) counted once");
        }
        if (counts.lateReadyPods() > 0 || counts.lateReadyNodes() > 0) {
            err.println("headstart: left out as not a start (Ready " + SecondsText.of(PodStartup.HORIZON.toSeconds())
                    + " or more after creation: a later readiness flap): " + counts.lateReadyPods() + " pods' phases, "
                    + counts.lateReadyNodes() + " nodes' ready");
        }
        if (counts.inconsistentPods() > 0) {
            err.println("headstart: " + counts.inconsistentPods() + " pods with a phase longer than total (clocks disagree):"
                    + " that phase and total left out");
        }
        err.flush();
        return 0;
    }
}
