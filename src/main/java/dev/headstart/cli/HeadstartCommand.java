package dev.headstart.cli;

import picocli.CommandLine.Command;

/** The offline commands of the headstart jar. */
@Command(name = "headstart", mixinStandardHelpOptions = true,
        description = "Makes Kubernetes scale-up fast. With no command (or 'serve') runs the webhook server.",
        subcommands = {MutateCommand.class, AuditCommand.class, HeadroomCommand.class, StartupCommand.class})
public class HeadstartCommand {
}
