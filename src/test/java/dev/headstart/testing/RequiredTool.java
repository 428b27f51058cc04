package dev.headstart.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tests that run an outside tool skip, rather than fail, where it is missing, with a reason
 * {@link MissingToolReport} counts and prints in the build's console: a developer sees which tool to
 * install and how many tests it costs; .ci/run installs them so CI never runs fewer.
 */
public final class RequiredTool {

    /** The prefix of every skip reason from here; the report keys on it. */
    static final String REASON_PREFIX = "missing tool: ";

    private RequiredTool() {
    }

    /** Skips the calling test unless {@code tool} is on PATH; {@code install} says how to get it. */
    public static void require(String tool, String install) {
        Assumptions.assumeTrue(onPath(tool), REASON_PREFIX + tool + " (" + install + ")");
    }

    public static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
