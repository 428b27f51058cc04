package dev.headstart.rules;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;

/**
 * The cpu-boost rule's settings ({@code headstart.cpu-boost.*}) as plain values. Off unless
 * {@code enabled}; {@link #parse} turns the configuration's text into settings or one clear error.
 *
 * @param factor      the multiplier in {@link CpuBoostMode#MULTIPLY} mode (above 1)
 * @param valueMillis the limit in {@link CpuBoostMode#VALUE} mode, in millicores
 * @param fitQuota    whether to boost under a ResourceQuota on {@code limits.cpu}, within what it has
 *                    left (off by default: a scale-up's next replicas need that quota; see DESIGN.md)
 * @param maxDuration the longest a boost lasts before the controller reverts it, Ready or not
 */
public record CpuBoostSettings(boolean enabled, CpuBoostMode mode, BigDecimal factor, long valueMillis,
        boolean fitQuota, Duration maxDuration) {

    public static final CpuBoostSettings OFF = new CpuBoostSettings(false, CpuBoostMode.REMOVE, BigDecimal.valueOf(4),
            0, false, Duration.ofMinutes(5));

    /** Enabled with this mode and the defaults otherwise (tests, the CLI). */
    public static CpuBoostSettings on(CpuBoostMode mode, String factor, String value) {
        return parse(true, mode.name(), factor, value, false, Duration.ofMinutes(5));
    }

    /**
     * @throws IllegalArgumentException with a one-line message naming the key, when a value is unusable
     */
    public static CpuBoostSettings parse(boolean enabled, String mode, String factor, String value, boolean fitQuota,
            Duration maxDuration) {
        CpuBoostMode parsedMode;
        try {
            parsedMode = CpuBoostMode.valueOf(mode.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("headstart.cpu-boost.mode: \"" + shown(mode)
                    + "\" is not one of remove, multiply, value");
        }
        BigDecimal parsedFactor;
        try {
            parsedFactor = new BigDecimal(factor.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("headstart.cpu-boost.factor: \"" + shown(factor) + "\" is not a number");
        }
        if (parsedMode == CpuBoostMode.MULTIPLY
                && (parsedFactor.compareTo(BigDecimal.ONE) <= 0 || parsedFactor.compareTo(BigDecimal.valueOf(1000)) > 0)) {
            throw new IllegalArgumentException("headstart.cpu-boost.factor: " + parsedFactor
                    + " must be above 1 and at most 1000");
        }
        long parsedValue = 0;
        if (parsedMode == CpuBoostMode.VALUE) {
            parsedValue = CpuQuantity.millis(value == null ? "" : value).orElse(0);
            if (parsedValue <= 0) {
                throw new IllegalArgumentException("headstart.cpu-boost.value: \"" + shown(value)
                        + "\" is not a positive CPU quantity (such as 2 or 1500m); mode value needs one");
            }
        }
        if (maxDuration == null || maxDuration.isNegative() || maxDuration.isZero()) {
            throw new IllegalArgumentException("headstart.cpu-boost.max-duration must be positive");
        }
        return new CpuBoostSettings(enabled, parsedMode, parsedFactor, parsedValue, fitQuota, maxDuration);
    }

    private static String shown(String text) {
        if (text == null) {
            return "";
        }
        String cut = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
