package dev.headstart;

import dev.headstart.cli.HeadstartCommand;
import dev.headstart.tls.TlsWarmup;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import picocli.CommandLine;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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
            // Parsed like every other command first: --help and --version answer without starting
            // the server, and an unknown option is a usage error, not silently ignored.
            Integer answered = answeredWithoutServer(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
            if (answered != null) {
                System.exit(answered);
            }
            if (args.length > 0 && args[0].equals("controller") && System.getProperty("quarkus.profile") == null) {
                System.setProperty("quarkus.profile", "controller");
            }
            ServerDefaults.apply();
            TlsWarmup.begin();
            Quarkus.run(args);
            return;
        }
        System.exit(new CommandLine(new HeadstartCommand()).setOut(utf8(FileDescriptor.out)).setErr(utf8(FileDescriptor.err))
                .execute(args));
    }

    /**
     * The offline commands write UTF-8 whatever the locale: under a C/POSIX locale (the default in
     * containers and CI) the JVM's console encoding is ASCII and would print {@code ?} for every
     * {@code –}, {@code ·} or {@code −} — also into the HTML page that declares UTF-8.
     */
    static PrintWriter utf8(FileDescriptor fd) {
        return new PrintWriter(new OutputStreamWriter(new FileOutputStream(fd), StandardCharsets.UTF_8), true);
    }

    /**
     * The exit code when the arguments of a server role ask for help or version, or are wrong;
     * null when the server should start.
     */
    static Integer answeredWithoutServer(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new HeadstartCommand()).setOut(out).setErr(err);
        try {
            CommandLine.ParseResult parsed = cli.parseArgs(args);
            if (CommandLine.printHelpIfRequested(parsed)) {
                return CommandLine.ExitCode.OK;
            }
            return null;
        } catch (CommandLine.ParameterException e) {
            try {
                return cli.getParameterExceptionHandler().handleParseException(e, args);
            } catch (Exception unexpected) {
                return CommandLine.ExitCode.USAGE;
            }
        }
    }
}
