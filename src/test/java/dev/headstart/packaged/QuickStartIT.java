package dev.headstart.packaged;

import dev.headstart.testing.RequiredTool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's quick start, word for word: `make run`, then the README's own curl command, whose
 * output must be the block the README shows after "which prints". Both are read from README.md when
 * the test runs, so a rule change only needs the README block refreshed (the failure prints the
 * real output). Then Ctrl-C, as a terminal sends it to make's process group.
 */
class QuickStartIT {

    private static final Path LOG = Path.of("target/quick-start-it.log");
    private Process make;

    @AfterEach
    void stop() throws Exception {
        if (make != null && make.isAlive()) {
            new ProcessBuilder("kill", "-TERM", "--", "-" + make.pid()).start().waitFor();
            make.waitFor(20, TimeUnit.SECONDS);
            make.destroyForcibly();
        }
    }

    @Test
    void theReadmesCurlExamplePrintsWhatTheReadmeShows() throws Exception {
        RequiredTool.require("make", "apt-get install make");
        RequiredTool.require("curl", "apt-get install curl");
        RequiredTool.require("python3", "apt-get install python3");
        String readme = Files.readString(Path.of("README.md"));
        String curl = block(readme, "```sh\n(curl [^`]*?/mutate[^`]*?)```");
        String shown = block(readme, "which prints:\n\n```text\n([^`]*?)```");

        int https = freePort();
        int management = freePort();
        // python3 starts make as a terminal would: its own process group, SIGINT not ignored
        // (a build started in the background inherits an ignored SIGINT).
        ProcessBuilder builder = new ProcessBuilder("python3", "-c",
                "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.setsid(); "
                        + "os.execvp('make', ['make', 'run'])")
                .redirectErrorStream(true).redirectOutput(LOG.toFile());
        builder.environment().put("QUARKUS_HTTP_SSL_PORT", Integer.toString(https));
        builder.environment().put("QUARKUS_MANAGEMENT_PORT", Integer.toString(management));
        // "make run needs no cluster": as on a laptop without a kubeconfig, whatever this machine has.
        builder.environment().put("HEADSTART_CLUSTER_ENABLED", "false");
        make = builder.start();
        awaitListening(https);

        ShellRun run = ShellRun.of(Map.of(), "bash", "-c", curl.replace("localhost:8443", "localhost:" + https));
        assertThat(run.out()).as("README.md's block after \"which prints:\" (replace it with this output; stderr: %s)", run.err())
                .isEqualTo(shown);

        new ProcessBuilder("kill", "-INT", "--", "-" + make.pid()).start().waitFor();
        assertThat(make.waitFor(60, TimeUnit.SECONDS)).as("stopped on Ctrl-C").isTrue();
        String log = Files.readString(LOG);
        assertThat(make.exitValue()).as("make ends as an interrupted program does, 128 + SIGINT").isEqualTo(130);
        assertThat(log).as("no make error on Ctrl-C").doesNotContain("make: ***")
                .as("the jar is current: no rebuild").doesNotContain("building")
                .as("loopback only, as the README says").contains("Listening on: https://127.0.0.1:" + https)
                .contains("headstart stopped in");
        assertThat(log).as("no base64 CA bundle in the server's output").doesNotContainPattern("[A-Za-z0-9+/=]{200}");
    }

    private static String block(String readme, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.DOTALL).matcher(readme);
        assertThat(m.find()).as("README.md has a block matching " + regex).isTrue();
        return m.group(1);
    }

    private void awaitListening(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                assertThat(make.isAlive()).as("make run is running; log:\n%s", Files.readString(LOG)).isTrue();
                Thread.sleep(200);
            }
        }
        throw new AssertionError("make run did not listen on " + port + "; log:\n" + Files.readString(LOG));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
