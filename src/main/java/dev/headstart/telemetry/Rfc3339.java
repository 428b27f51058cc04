package dev.headstart.telemetry;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Kubernetes times ({@code metadata.creationTimestamp}, {@code lastTransitionTime}, …): RFC 3339. */
public final class Rfc3339 {

    private Rfc3339() {
    }

    /** The instant, or empty when absent or not RFC 3339 (a time that does not parse is not guessed). */
    public static Optional<Instant> parse(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
