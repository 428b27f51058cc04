package dev.headstart.monitoring;

import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheus.PrometheusNamingConvention;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Prometheus series names Headstart exports, read from the source: every Micrometer meter
 * registered with a literal name ({@code Counter.builder("…")}, {@code Timer.builder("…")},
 * {@code Gauge.builder("…")}, {@code registry.gauge("…")}, {@code registry.counter("…")}), named
 * as the Prometheus registry names it (dots to underscores, {@code _total} for counters,
 * {@code _seconds} for timers and the base unit), with the series a type adds ({@code _bucket},
 * {@code _count}, {@code _sum}, {@code _max} for timers).
 */
final class ExportedMetrics {

    private static final Pattern BUILDER = Pattern.compile(
            "\\b(Counter|Timer|Gauge|DistributionSummary)\\s*\\.builder\\(\\s*\"([^\"]+)\"([^;]*);", Pattern.DOTALL);
    private static final Pattern SHORTHAND = Pattern.compile("\\.(counter|gauge|timer|summary)\\(\\s*\"([^\"]+)\"");
    private static final Pattern BASE_UNIT = Pattern.compile("\\.baseUnit\\(\\s*\"([^\"]+)\"\\s*\\)");
    private static final PrometheusNamingConvention NAMING = new PrometheusNamingConvention();

    private ExportedMetrics() {
    }

    /** Every exported series name (families and their suffixed series). */
    static Set<String> fromSource(Path root) {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                Matcher builder = BUILDER.matcher(source);
                while (builder.find()) {
                    Matcher unit = BASE_UNIT.matcher(builder.group(3));
                    add(names, builder.group(2), type(builder.group(1)), unit.find() ? unit.group(1) : null);
                }
                Matcher shorthand = SHORTHAND.matcher(source);
                while (shorthand.find()) {
                    add(names, shorthand.group(2), type(shorthand.group(1)), null);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    private static Meter.Type type(String builder) {
        return switch (builder.toLowerCase(java.util.Locale.ROOT)) {
            case "counter" -> Meter.Type.COUNTER;
            case "timer" -> Meter.Type.TIMER;
            case "distributionsummary", "summary" -> Meter.Type.DISTRIBUTION_SUMMARY;
            default -> Meter.Type.GAUGE;
        };
    }

    private static void add(Set<String> names, String meter, Meter.Type type, String baseUnit) {
        String name = NAMING.name(meter, type, baseUnit);
        names.add(name);
        if (type == Meter.Type.TIMER || type == Meter.Type.DISTRIBUTION_SUMMARY) {
            for (String suffix : List.of("_bucket", "_count", "_sum", "_max")) {
                names.add(name + suffix);
            }
        }
    }
}
