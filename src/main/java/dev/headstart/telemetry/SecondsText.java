package dev.headstart.telemetry;

import java.util.Locale;
import java.util.OptionalDouble;

/** Durations for people: {@code 0.85s}, {@code 12s}, {@code 1m05s}, {@code 1h02m}; {@code –} for none. */
public final class SecondsText {

    private SecondsText() {
    }

    public static String of(OptionalDouble seconds) {
        return seconds.isPresent() ? of(seconds.getAsDouble()) : "–";
    }

    public static String of(double seconds) {
        double abs = Math.abs(seconds);
        String sign = seconds < 0 ? "-" : "";
        if (abs < 10) {
            String text = String.format(Locale.ROOT, "%.2f", abs).replaceAll("\\.?0+$", "");
            return sign + text + "s";
        }
        long whole = Math.round(abs);
        if (whole < 60) {
            return sign + whole + "s";
        }
        if (whole < 3600) {
            return sign + String.format(Locale.ROOT, "%dm%02ds", whole / 60, whole % 60);
        }
        return sign + String.format(Locale.ROOT, "%dh%02dm", whole / 3600, (whole % 3600) / 60);
    }

    /** A signed difference: {@code +3s}, {@code -1m05s}, {@code 0s}. */
    public static String difference(OptionalDouble a, OptionalDouble b) {
        if (a.isEmpty() || b.isEmpty()) {
            return "–";
        }
        double d = a.getAsDouble() - b.getAsDouble();
        return (d > 0 ? "+" : "") + of(d);
    }
}
