package dev.headstart.telemetry;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the durations the kubelet prints with Go's {@code time.Duration.String()}: {@code 850ms},
 * {@code 3.21s}, {@code 1m5.5s}, {@code 1h2m3.5s}, {@code 0s}, also {@code µs}/{@code us} and
 * {@code ns}. A sequence of decimal numbers each with a unit, as Go's {@code time.ParseDuration}
 * takes them (without a sign: a pull never takes negative time).
 */
public final class GoDuration {

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
    private static final Pattern WHOLE = Pattern.compile("(?:" + PART.pattern() + ")+");

    private GoDuration() {
    }

    /** Seconds, or empty when the text is not a Go duration. */
    public static Optional<Double> seconds(String text) {
        if (text == null || !WHOLE.matcher(text).matches()) {
            return Optional.empty();
        }
        double seconds = 0;
        Matcher part = PART.matcher(text);
        while (part.find()) {
            double value = Double.parseDouble(part.group(1));
            seconds += value * switch (part.group(2)) {
                case "h" -> 3600;
                case "m" -> 60;
                case "s" -> 1;
                case "ms" -> 1e-3;
                case "ns" -> 1e-9;
                default -> 1e-6;
            };
        }
        return Optional.of(seconds);
    }
}
