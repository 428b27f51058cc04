package dev.headstart.rbac;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The RBAC check ({@code RbacMatchesCodeIT}) sees a request only if {@code ApiRequestRecorder} takes
 * it from the mock server's queue. A test that takes requests itself hides them: a grant only that
 * test needs reads as unused, and a request only it makes is never checked against the roles. So
 * tests read requests through {@code ApiRequestRecorder.take}, which records what it hands over.
 */
class RecordedRequestsReachTheRbacCheckTest {

    @Test
    void noTestTakesRequestsFromAMockServerBehindTheRecordersBack() throws IOException {
        Path tests = Path.of("src/test/java");
        List<String> offenders;
        try (Stream<Path> files = Files.walk(tests)) {
            offenders = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> !f.endsWith(Path.of("dev/headstart/testing/ApiRequestRecorder.java")))
                    .filter(f -> !f.getFileName().toString().equals("RecordedRequestsReachTheRbacCheckTest.java"))
                    .filter(f -> read(f).contains(".takeRequest("))
                    .map(tests::relativize).map(Path::toString).sorted().toList();
        }
        assertThat(offenders).as("use ApiRequestRecorder.take(server, ...) instead of server.takeRequest(...)").isEmpty();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
