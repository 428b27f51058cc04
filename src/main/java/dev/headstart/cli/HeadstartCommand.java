package dev.headstart.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * The commands of the headstart jar. {@code serve} and {@code controller} start the server (see
 * {@link dev.headstart.HeadstartMain}); the others run offline. Help and version options are
 * inherited by every subcommand.
 */
@Command(name = "headstart", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT,
        versionProvider = HeadstartVersion.class,
        description = "Makes Kubernetes scale-up fast. With no command runs the webhook server, as 'serve' does.",
        subcommands = {ServeCommand.class, ControllerCommand.class, MutateCommand.class, AuditCommand.class,
                HeadroomCommand.class, StartupCommand.class, ImagesCommand.class,
                ReportsCommand.class})
public class HeadstartCommand {
}
