package dev.headstart.cli;

import picocli.CommandLine.Command;

/** {@code headstart reports}: Headstart's own policy reports in the live cluster. */
@Command(name = "reports", mixinStandardHelpOptions = true,
        description = "Headstart's own policy reports in the cluster of the kubeconfig (or the pod's service account).",
        subcommands = {ReportsPurgeCommand.class})
public class ReportsCommand {
}
