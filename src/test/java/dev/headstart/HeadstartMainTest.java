package dev.headstart;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** The server roles answer help, version and usage errors without starting Quarkus. */
class HeadstartMainTest {

    record Answer(Integer exit, String out, String err) {
    }

    private static Answer answer(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Integer exit = HeadstartMain.answeredWithoutServer(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Answer(exit, out.toString(), err.toString());
    }

    @Test
    void serveAndControllerHelpPrintHelpAndExitZero() {
        for (String role : new String[] {"serve", "controller"}) {
            for (String flag : new String[] {"--help", "-h"}) {
                Answer answer = answer(role, flag);
                assertThat(answer.exit()).as(role + " " + flag).isZero();
                assertThat(answer.out()).startsWith("Usage: headstart " + role).contains("Exit codes:");
            }
        }
    }

    @Test
    void versionIsPrintedByEveryRole() {
        for (String[] args : new String[][] {{"--version"}, {"-V"}, {"serve", "-V"}, {"controller", "--version"}}) {
            Answer answer = answer(args);
            assertThat(answer.exit()).isZero();
            assertThat(answer.out().strip()).as(String.join(" ", args)).matches("headstart \\d+\\.\\d+\\.\\d+.*");
        }
    }

    @Test
    void topLevelHelpListsTheServerRolesAndTheOfflineCommands() {
        Answer answer = answer("--help");
        assertThat(answer.exit()).isZero();
        assertThat(answer.out()).containsPattern("(?m)^  serve ").containsPattern("(?m)^  controller ")
                .containsPattern("(?m)^  mutate ").containsPattern("(?m)^  audit ").containsPattern("(?m)^  headroom ");
    }

    @Test
    void plainServerRolesStartTheServerAndUnknownOptionsAreUsageErrors() {
        assertThat(answer().exit()).as("no arguments: serve").isNull();
        assertThat(answer("serve").exit()).isNull();
        assertThat(answer("controller").exit()).isNull();
        Answer bad = answer("serve", "--port", "1");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("Unknown options: '--port', '1'");
    }
}
