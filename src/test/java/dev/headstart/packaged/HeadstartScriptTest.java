package dev.headstart.packaged;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/headstart rebuilds the jar when it is missing or older than pom.xml or a file under src/main
 * (as `make run` does), and otherwise runs it as it is. The script runs for real, from a copy in a
 * scratch tree whose {@code ./mvnw} and {@code java} (first on PATH) only record that they ran, so
 * no build happens: what is tested is the script's decision and where its output goes.
 */
class HeadstartScriptTest {

    private static final Instant BUILT = Instant.parse("2026-01-01T10:00:00Z");

    @TempDir
    Path tree;
    Path jar;
    Path source;
    Path builds;

    @BeforeEach
    void scratchTree() throws IOException {
        Files.createDirectories(tree.resolve("bin"));
        Files.copy(Path.of("bin", "headstart"), tree.resolve("bin/headstart"));
        executable(tree.resolve("bin/headstart"));
        builds = tree.resolve("builds.log");
        // The fake build says something on stdout, as Maven can: the script must keep it off its own stdout.
        script(tree.resolve("mvnw"), "echo \"mvnw $*\" >> '" + builds + "'\necho 'maven noise'\n");
        script(Files.createDirectories(tree.resolve("fake-bin")).resolve("java"), "echo \"java $*\"\n");
        Files.writeString(tree.resolve("pom.xml"), "<project/>");
        source = Files.createDirectories(tree.resolve("src/main/java/dev/headstart")).resolve("HeadstartMain.java");
        Files.writeString(source, "class HeadstartMain {}");
        jar = Files.createDirectories(tree.resolve("target/quarkus-app")).resolve("quarkus-run.jar");
        Files.writeString(jar, "jar");
        age(tree.resolve("pom.xml"), -60);
        age(source, -60);
        age(jar, 0);
    }

    @Test
    void anUpToDateJarRunsWithoutABuild() throws Exception {
        ShellRun run = headstart("--version");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("java -Xmx256m -jar " + jar + " --version\n");
        assertThat(run.err()).isEmpty();
        assertThat(builds).doesNotExist();
    }

    @Test
    void aChangedSourceRebuildsOnceQuietlyOnStderr() throws Exception {
        age(source, 60);
        ShellRun run = headstart("mutate", "-f", "-");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).as("only the CLI's output").isEqualTo("java -Xmx256m -jar " + jar + " mutate -f -\n");
        assertThat(run.err()).isEqualTo("headstart: building " + jar + " (sources changed)\nmaven noise\n");
        assertThat(Files.readString(builds)).isEqualTo("mvnw -B -q package -DskipTests\n");

        // The jar now counts as built from these sources, even where Maven left it untouched.
        ShellRun again = headstart("--version");
        assertThat(again.err()).isEmpty();
        assertThat(Files.readAllLines(builds)).hasSize(1);
    }

    @Test
    void aChangedPomOrAnyFileUnderSrcMainRebuilds() throws Exception {
        age(tree.resolve("pom.xml"), 60);
        assertThat(headstart("--version").err()).contains("(sources changed)");
        age(jar, 0);

        Path resource = Files.createDirectories(tree.resolve("src/main/resources")).resolve("application.properties");
        Files.writeString(resource, "headstart.role=webhook\n");
        age(resource, 3600);
        assertThat(headstart("--version").err()).contains("(sources changed)");
        assertThat(Files.readAllLines(builds)).hasSize(2);
    }

    @Test
    void aMissingJarIsBuiltFirst() throws Exception {
        Files.delete(jar);
        ShellRun run = headstart("--version");
        assertThat(run.err()).startsWith("headstart: building " + jar + " (first run)\n");
        assertThat(Files.readAllLines(builds)).hasSize(1);
    }

    @Test
    void aFailedBuildStopsBeforeRunningAnything() throws Exception {
        script(tree.resolve("mvnw"), "echo 'BUILD FAILURE' >&2\nexit 1\n");
        age(source, 60);
        ShellRun run = headstart("--version");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("BUILD FAILURE");
    }

    private ShellRun headstart(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = tree.resolve("bin/headstart").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        return ShellRun.of(Map.of("PATH", tree.resolve("fake-bin") + java.io.File.pathSeparator + System.getenv("PATH"),
                "JAVA_OPTS", ""), command);
    }

    /** Sets the file's modification time {@code seconds} after (or before) the jar's build time. */
    private static void age(Path file, long seconds) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(BUILT.plusSeconds(seconds)));
    }

    private static void script(Path path, String body) throws IOException {
        Files.writeString(path, "#!/usr/bin/env bash\n" + body);
        executable(path);
    }

    private static void executable(Path path) throws IOException {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
