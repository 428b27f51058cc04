package dev.headstart.admission;

import java.util.Locale;
import java.util.Optional;

/** What {@code /validate} does with failed rules: warn (audit) or deny (enforce). */
public enum ValidationMode {
    AUDIT, ENFORCE;

    /** The mode a configuration value or namespace label names; empty for anything else. */
    public static Optional<ValidationMode> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "audit" -> Optional.of(AUDIT);
            case "enforce" -> Optional.of(ENFORCE);
            default -> Optional.empty();
        };
    }
}
