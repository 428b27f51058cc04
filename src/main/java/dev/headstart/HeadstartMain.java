package dev.headstart;

import dev.headstart.cli.HeadstartCommand;
import dev.headstart.tls.TlsWarmup;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import picocli.CommandLine;

import java.util.Set;

/**
 * One jar, several roles. With no arguments, or {@code serve}, it runs the webhook server. The
 * offline commands (CLI) run the same rules without starting Quarkus at all: no port, no cluster.
 */
@QuarkusMain
public class HeadstartMain {

    /** Roles that run inside the Quarkus server; everything else is an offline command. */
    private static final Set<String> SERVER_ROLES = Set.of("serve", "controller");

    public static void main(String... args) {
        if (args.length == 0 || SERVER_ROLES.contains(args[0])) {
            if (args.length > 0 && args[0].equals("controller") && System.getProperty("quarkus.profile") == null) {
                System.setProperty("quarkus.profile", "controller");
            }
            ServerDefaults.apply();
            TlsWarmup.begin();
            Quarkus.run(args);
            return;
        }
        System.exit(new CommandLine(new HeadstartCommand()).execute(args));
    }
}
