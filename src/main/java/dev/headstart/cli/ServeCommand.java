package dev.headstart.cli;

import picocli.CommandLine.Command;

/**
 * {@code headstart serve}: described here so help, version and usage errors work like every other
 * command; {@link dev.headstart.HeadstartMain} starts the Quarkus server when it parses cleanly.
 */
@Command(name = "serve",
        description = {"Run the admission webhook server (the default with no command): HTTPS on "
                + "quarkus.http.ssl-port (8443), health and metrics on quarkus.management.port (9000).",
                "Configured by application.properties, HEADSTART_* / QUARKUS_* environment variables and "
                        + "-D system properties (README, Configuration)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"1:failed to start (the log says why)", "2:usage error",
                "130:stopped by SIGINT (Ctrl-C)", "143:stopped by SIGTERM (how Kubernetes stops a pod)"})
public class ServeCommand {
}
