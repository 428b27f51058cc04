package dev.headstart.cluster;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The cluster package sits below the controller: none of its sources imports from {@code dev.headstart.controller}. */
class ClusterLayeringTest {

    @Test
    void clusterImportsNothingOfTheController() throws IOException {
        List<Path> sources;
        try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/headstart/cluster"))) {
            sources = files.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertThat(sources).isNotEmpty();
        for (Path source : sources) {
            assertThat(Files.readAllLines(source)).as(source.toString())
                    .noneMatch(line -> line.startsWith("import dev.headstart.controller"));
        }
    }
}
