package dev.headstart.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * For a Quarkus test profile whose test reads what the server logged: the config overrides that
 * also write the log to a file, emptied first so it holds only this application's lines.
 */
public final class LogFile {

    private LogFile() {
    }

    /** {@code overrides} plus the log file at {@code log}, which is deleted now. */
    public static Map<String, String> writingTo(Path log, Map<String, String> overrides) {
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> all = new HashMap<>(overrides);
        all.put("quarkus.log.file.enabled", "true");
        all.put("quarkus.log.file.path", log.toString());
        return all;
    }
}
