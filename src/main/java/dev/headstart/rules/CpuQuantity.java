package dev.headstart.rules;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CPU quantities in millicores, read as the API server reads them ({@code resource.Quantity}:
 * {@code 500m}, {@code 0.5}, {@code 2}, {@code 1e3m}, {@code 2k}, binary suffixes) and rounded up to a
 * whole millicore as {@code MilliValue()} does. The API server canonicalises {@code 2000m} to
 * {@code 2}, so limits are compared in millicores, never as text.
 */
public final class CpuQuantity {

    private static final Pattern FORM = Pattern.compile("([+-]?(?:\\d+\\.?\\d*|\\.\\d+))(?:([eE][+-]?\\d+)|(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei))?");
    /** Far beyond any node; keeps arithmetic in a long. */
    private static final long MAX_MILLIS = 1_000_000_000_000L;

    private CpuQuantity() {
    }

    /** The quantity in millicores, or empty when the text is no quantity (or negative, or absurdly large). */
    public static OptionalLong millis(String text) {
        if (text == null || text.length() > 64) {
            return OptionalLong.empty();
        }
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        BigDecimal value = new BigDecimal(m.group(1));
        if (m.group(2) != null) {
            int exponent;
            try {
                exponent = Integer.parseInt(m.group(2).substring(1));
            } catch (NumberFormatException e) {
                return OptionalLong.empty();
            }
            if (Math.abs(exponent) > 30) {
                return OptionalLong.empty();
            }
            value = value.scaleByPowerOfTen(exponent);
        } else if (m.group(3) != null) {
            value = value.multiply(multiplier(m.group(3)));
        }
        BigDecimal millis = value.multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.CEILING);
        if (millis.signum() < 0 || millis.compareTo(BigDecimal.valueOf(MAX_MILLIS)) > 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(millis.longValueExact());
    }

    /** The canonical text of a CPU amount: whole cores as {@code 2}, anything else as {@code 1500m}. */
    public static String format(long millis) {
        return millis % 1000 == 0 ? Long.toString(millis / 1000) : millis + "m";
    }

    private static BigDecimal multiplier(String suffix) {
        return switch (suffix) {
            case "m" -> new BigDecimal("0.001");
            case "k" -> BigDecimal.TEN.pow(3);
            case "M" -> BigDecimal.TEN.pow(6);
            case "G" -> BigDecimal.TEN.pow(9);
            case "T" -> BigDecimal.TEN.pow(12);
            case "P" -> BigDecimal.TEN.pow(15);
            case "E" -> BigDecimal.TEN.pow(18);
            case "Ki" -> BigDecimal.valueOf(2).pow(10);
            case "Mi" -> BigDecimal.valueOf(2).pow(20);
            case "Gi" -> BigDecimal.valueOf(2).pow(30);
            case "Ti" -> BigDecimal.valueOf(2).pow(40);
            case "Pi" -> BigDecimal.valueOf(2).pow(50);
            default -> BigDecimal.valueOf(2).pow(60);
        };
    }
}
