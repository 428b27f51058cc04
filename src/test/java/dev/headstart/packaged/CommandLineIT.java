package dev.headstart.packaged;

import dev.headstart.testing.RequiredTool;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The commands the README and the help screens offer, run as a user runs them: bin/headstart on the
 * packaged jar, and the make targets (after `package`, so in `./mvnw verify`).
 */
class CommandLineIT {

    @Test
    void serverRolesPrintHelpAndExitWithoutStartingTheServer() throws Exception {
        for (String role : new String[] {"serve", "controller"}) {
            ShellRun help = ShellRun.of("bin/headstart", role, "--help");
            assertThat(help.exit()).as(role + " --help: " + help.err()).isZero();
            assertThat(help.out()).startsWith("Usage: headstart " + role).contains("Exit codes:");
            assertThat(help.out() + help.err()).doesNotContain("Listening on");
        }
    }

    @Test
    void versionAndTopLevelHelp() throws Exception {
        for (String flag : new String[] {"--version", "-V"}) {
            ShellRun version = ShellRun.of("bin/headstart", flag);
            assertThat(version.exit()).isZero();
            assertThat(version.out().strip()).matches("headstart \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        }
        ShellRun help = ShellRun.of("bin/headstart", "--help");
        assertThat(help.exit()).isZero();
        for (String command : new String[] {"serve", "controller", "mutate", "audit", "headroom"}) {
            assertThat(help.out()).containsPattern("(?m)^  " + command + " ");
        }
    }

    @Test
    void headroomPlanSaysWhatIsMissing() throws Exception {
        ShellRun run = ShellRun.of("bin/headstart", "headroom", "plan", "--nodes", "3");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("headstart: --nodes needs --cores too: give both to plan offline, "
                + "or neither to count the cluster's nodes\n");
    }

    @Test
    void makeMutateWritesOnlyManifestsToStdout() throws Exception {
        RequiredTool.require("make", "apt-get install make");
        ShellRun viaMake = ShellRun.of("make", "mutate", "F=examples/");
        ShellRun direct = ShellRun.of("bin/headstart", "mutate", "-f", "examples/");
        assertThat(viaMake.exit()).as(viaMake.err()).isZero();
        assertThat(viaMake.out()).as("no make echo, no build output").isEqualTo(direct.out()).startsWith("apiVersion: ");
        assertThat(viaMake.err()).doesNotContain("building");
    }

    @Test
    void makeAuditFailsAndNamesTheClisExitCode() throws Exception {
        RequiredTool.require("make", "apt-get install make");
        ShellRun passing = ShellRun.of("make", "audit", "F=examples/deployment-compliant.yaml");
        assertThat(passing.exit()).as(passing.err()).isZero();

        // make exits 2 for every failed recipe; the CLI's own code is the one in "Error N".
        ShellRun failing = ShellRun.of("make", "audit", "F=examples/");
        assertThat(failing.exit()).isEqualTo(2);
        assertThat(failing.err()).contains("with failed rules").containsPattern("make: \\*\\*\\* \\[Makefile:\\d+: audit\\] Error 1");
        ShellRun nothing = ShellRun.of("make", "audit", "F=examples/configmap.yaml");
        assertThat(nothing.exit()).isEqualTo(2);
        assertThat(nothing.err()).contains("nothing to audit").containsPattern("audit\\] Error 2");
        assertThat(ShellRun.of("bin/headstart", "audit", "-f", "examples/").exit()).as("the CLI itself").isEqualTo(1);
    }

    @Test
    void makeRunBuildsOnlyWhenASourceChanged() throws Exception {
        RequiredTool.require("make", "apt-get install make");
        // -n prints what make would run; -W pretends a file was just modified.
        ShellRun current = ShellRun.of("make", "-n", "run");
        assertThat(current.out()).doesNotContain("mvnw").contains("java -Dquarkus.http.host=127.0.0.1");
        ShellRun edited = ShellRun.of("make", "-n", "-W", "src/main/java/dev/headstart/HeadstartMain.java", "run");
        assertThat(edited.out()).contains("./mvnw -B -q package -DskipTests");
        ShellRun everywhere = ShellRun.of("make", "-n", "run", "HOST=0.0.0.0");
        assertThat(everywhere.out()).contains("-Dquarkus.http.host=0.0.0.0 -Dquarkus.management.host=0.0.0.0");
    }
}
