package dev.headstart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.rules.Mutation;
import dev.headstart.rules.RuleEngine;
import dev.headstart.rules.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code headstart mutate -f ...}: prints the manifests as the webhook would leave them. Offline the
 * rules run on pod templates too (Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs,
 * CronJobs) as well as bare Pods, so users see what their pods will get; everything else passes
 * through unchanged, and so does what the install's webhooks never admit ({@link InstallScope}).
 * Warnings go to stderr.
 */
@Command(name = "mutate", mixinStandardHelpOptions = true,
        description = "Print manifests with Headstart's changes applied (YAML, input order).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:printed", "2:usage or input error"})
public class MutateCommand implements Callable<Integer> {

    @Mixin
    RuleOptions options;

    @Spec
    CommandSpec spec;

    /** Standard input; tests replace it. */
    InputStream stdin = System.in;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        RuleOptions.Input input;
        try {
            input = options.load(stdin);
        } catch (InputException e) {
            return RuleOptions.inputError(err, e.getMessage());
        }
        RuleEngine engine = input.engine();
        InstallScope scope = options.scope("MutatingWebhookConfiguration");
        PrintWriter out = spec.commandLine().getOut();
        boolean[] first = {true};
        // Written as read: memory holds one object at a time, whatever the size of the input.
        try {
            input.documents().each(document -> {
                JsonNode printed = document;
                try {
                    printed = mutated(document, engine, scope, err);
                } finally {
                    // An object the rules cannot read is printed unchanged (and counted as skipped).
                    ManifestWriter.yaml(out, printed, first[0]);
                    first[0] = false;
                }
            });
            out.flush();
            input.documents().tally().report(err);
        } catch (InputException e) {
            out.flush();
            return RuleOptions.inputError(err, e.getMessage());
        }
        err.flush();
        return 0;
    }

    private static JsonNode mutated(JsonNode document, RuleEngine engine, InstallScope scope, PrintWriter err) {
        Workload workload = Workload.of(document).orElse(null);
        if (workload == null) {
            return document;
        }
        String excluded = scope == null ? null : scope.exclusion(workload).orElse(null);
        if (excluded != null) {
            err.println(RuleOptions.excludedLine(workload, excluded, "left %s unchanged"));
            return document;
        }
        Mutation mutation = engine.mutate(workload);
        mutation.warnings().forEach(w -> err.println(w + " (" + workload.kind().kindName() + " " + workload.name() + ")"));
        return mutation.mutated();
    }
}
