package dev.headstart.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.report.PolicyReportModel;
import dev.headstart.rules.RuleEngine;
import dev.headstart.rules.RuleResult;
import dev.headstart.rules.RuleStatus;
import dev.headstart.rules.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code headstart audit -f ...}: one PolicyReport per workload, built by the same model the
 * webhook writes to the cluster (without an owner: offline there is no uid). Exit 0 when every rule
 * passes (or is skipped), 1 when any fails or errors, 2 for usage or input errors, and 2 when the
 * input holds no workload the install would admit: a CI gate pointed at the wrong folder must not
 * pass. A one-line summary goes to stderr.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Print a PolicyReport per workload; exit 1 when a rule fails.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every rule passes", "1:a rule fails",
                "2:usage or input error, or no workload to audit"})
public class AuditCommand implements Callable<Integer> {

    @Mixin
    RuleOptions options;

    @Option(names = {"-o", "--output"}, defaultValue = "yaml", paramLabel = "yaml|json",
            description = "Output format: yaml (multi-document, default) or json (a v1 List).")
    String output;

    @Spec
    CommandSpec spec;

    /** Standard input and the report clock; tests replace them. */
    InputStream stdin = System.in;
    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (!output.equals("yaml") && !output.equals("json")) {
            return RuleOptions.inputError(err, "-o must be yaml or json, not '" + output + "'");
        }
        RuleOptions.Input input;
        try {
            input = options.load(stdin);
        } catch (InputException e) {
            return RuleOptions.inputError(err, e.getMessage());
        }
        RuleEngine engine = input.engine();
        InstallScope scope = options.scope("ValidatingWebhookConfiguration");
        List<ObjectNode> reports = new ArrayList<>();
        int[] failing = {0};
        int[] excluded = {0};
        // Read one object at a time; only the reports are kept.
        try {
            input.documents().each(document -> {
                Workload workload = Workload.of(document).orElse(null);
                if (workload == null) {
                    return;
                }
                String exclusion = scope == null ? null : scope.exclusion(workload).orElse(null);
                if (exclusion != null) {
                    err.println(RuleOptions.excludedLine(workload, exclusion, "not auditing %s"));
                    excluded[0]++;
                    return;
                }
                List<RuleResult> results = engine.evaluate(workload);
                engine.skipWarnings(workload).forEach(w -> err.println(w + " (" + workload.kind().kindName() + " "
                        + workload.name() + ")"));
                if (results.stream().anyMatch(r -> r.status() == RuleStatus.FAIL || r.status() == RuleStatus.ERROR)) {
                    failing[0]++;
                }
                reports.add(PolicyReportModel.build(workload, results, clock.instant(), null));
            });
            input.documents().tally().report(err);
        } catch (InputException e) {
            return RuleOptions.inputError(err, e.getMessage());
        }
        if (reports.isEmpty()) {
            return RuleOptions.inputError(err, excluded[0] > 0
                    ? "nothing to audit in " + options.source + ": all " + excluded[0]
                            + " workloads are outside what the install admits (--include-excluded to audit them)"
                    : "nothing to audit in " + options.source
                            + ": no Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob");
        }
        if (output.equals("json")) {
            ManifestWriter.jsonList(spec.commandLine().getOut(), reports);
        } else {
            ManifestWriter.yaml(spec.commandLine().getOut(), reports);
        }
        err.println("headstart: " + reports.size() + (reports.size() == 1 ? " workload, " : " workloads, ")
                + failing[0] + " with failed rules" + (excluded[0] > 0 ? ", " + excluded[0] + " not admitted by the install" : ""));
        err.flush();
        return failing[0] == 0 ? 0 : 1;
    }
}
