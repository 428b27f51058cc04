package dev.headstart.testing;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts the tests {@link RequiredTool} skipped, per missing tool, and writes one line per tool to
 * the file the system property {@code missing-tools-report} names (surefire and failsafe
 * set it; pom.xml prints the file after the run, as test output itself goes to files). Registered
 * through META-INF/services, so the JUnit launcher picks it up in every run.
 */
public final class MissingToolReport implements TestExecutionListener {

    private final Map<String, Integer> skippedByTool = new TreeMap<>();

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (!test.isTest() || result.getStatus() != TestExecutionResult.Status.ABORTED) {
            return;
        }
        String reason = result.getThrowable().map(Throwable::getMessage).orElse("");
        int at = reason.indexOf(RequiredTool.REASON_PREFIX);
        if (at >= 0) {
            synchronized (skippedByTool) {
                skippedByTool.merge(reason.substring(at + RequiredTool.REASON_PREFIX.length()), 1, Integer::sum);
            }
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        String file = System.getProperty("missing-tools-report");
        if (file == null) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        synchronized (skippedByTool) {
            // Keys read "nc (apt-get install netcat-openbsd)": the tool, then how to install it.
            skippedByTool.forEach((tool, count) -> lines.append("[tools] ").append(count)
                    .append(count == 1 ? " test skipped: " : " tests skipped: ")
                    .append(tool.replaceFirst("^(\\S+)", "$1 is not installed")).append('\n'));
        }
        try {
            Path path = Path.of(file);
            Files.createDirectories(path.toAbsolutePath().getParent());
            Files.writeString(path, lines.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println("could not write " + file + ": " + e);
        }
    }
}
