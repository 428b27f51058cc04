package dev.headstart.controller.headroom;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One named schedule window of a pool: it opens at each minute its cron expression matches in its
 * IANA time zone and stays open for {@code duration} of elapsed time. While open it either raises
 * the pool's plan to at least {@code min} or replaces it with {@code replicas} (exactly one of the two).
 *
 * @param replicas the replacing replica count, or -1 when the window sets a minimum
 * @param min      the least replicas while open, or -1 when the window replaces the plan
 */
public record HeadroomWindow(String name, CronExpression cron, Duration duration, ZoneId timeZone, int min,
        int replicas) {

    /** Longest window: a scan back over its duration stays cheap (one week of minutes). */
    public static final Duration MAX_DURATION = Duration.ofDays(7);

    private static final Set<String> KEYS = Set.of("name", "cron", "duration", "timeZone", "min", "replicas");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DURATION = Pattern.compile("(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?");

    public boolean replaces() {
        return replicas >= 0;
    }

    /** Parses one entry of a pool's {@code "schedules"}; a bad one throws with a one-line reason. */
    static HeadroomWindow parse(JsonNode node, String pool) {
        String where = "pool " + pool + ": schedule";
        if (node == null || !node.isObject()) {
            throw new InvalidHeadroomParamsException(where + " must be an object with name, cron, duration, timeZone and min or replicas");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new InvalidHeadroomParamsException(where + ": unknown key '" + key + "' (known: "
                        + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
            }
        }
        String name = node.path("name").asText("");
        if (!NAME.matcher(name).matches()) {
            throw new InvalidHeadroomParamsException(where + " name '" + name + "' must be lower-case letters, digits and '-'");
        }
        where = "pool " + pool + ": schedule " + name;
        CronExpression cron;
        try {
            cron = CronExpression.parse(node.path("cron").asText(null));
        } catch (IllegalArgumentException e) {
            throw new InvalidHeadroomParamsException(where + ": " + e.getMessage());
        }
        Duration duration = duration(node.path("duration").asText(""), where);
        ZoneId zone;
        String zoneText = node.path("timeZone").asText("UTC");
        try {
            zone = ZoneId.of(zoneText);
        } catch (DateTimeException e) {
            throw new InvalidHeadroomParamsException(where + ": timeZone '" + zoneText
                    + "' is not an IANA time zone (e.g. Europe/Berlin)");
        }
        boolean hasMin = node.has("min");
        boolean hasReplicas = node.has("replicas");
        if (hasMin == hasReplicas) {
            throw new InvalidHeadroomParamsException(where + ": give exactly one of min (a floor) or replicas (replaces the plan)");
        }
        JsonNode value = hasMin ? node.get("min") : node.get("replicas");
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < 0) {
            throw new InvalidHeadroomParamsException(where + ": " + (hasMin ? "min" : "replicas") + " must be a whole number >= 0");
        }
        return new HeadroomWindow(name, cron, duration, zone, hasMin ? value.asInt() : -1, hasReplicas ? value.asInt() : -1);
    }

    private static Duration duration(String text, String where) {
        Matcher m = DURATION.matcher(text);
        if (text.isEmpty() || !m.matches()) {
            throw new InvalidHeadroomParamsException(where + ": duration '" + text + "' must be like 10h, 90m, 1d or 1h30m");
        }
        Duration d = Duration.ZERO;
        try {
            if (m.group(1) != null) d = d.plusDays(Long.parseLong(m.group(1)));
            if (m.group(2) != null) d = d.plusHours(Long.parseLong(m.group(2)));
            if (m.group(3) != null) d = d.plusMinutes(Long.parseLong(m.group(3)));
        } catch (NumberFormatException | ArithmeticException e) {
            d = MAX_DURATION.plusDays(1);
        }
        if (d.isZero() || d.compareTo(MAX_DURATION) > 0) {
            throw new InvalidHeadroomParamsException(where + ": duration '" + text + "' must be more than 0 and at most 7d");
        }
        return d;
    }
}
