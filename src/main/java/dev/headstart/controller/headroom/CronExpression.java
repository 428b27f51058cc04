package dev.headstart.controller.headroom;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.util.BitSet;

/**
 * A standard five-field cron expression (minute hour day-of-month month day-of-week) with
 * {@code *}, ranges {@code a-b}, lists {@code a,b}, steps {@code * /n} and {@code a-b/n}; day-of-week
 * 0-7 (0 and 7 are Sunday). As in Vixie/ISC cron and robfig/cron, when both day fields are
 * restricted a day matches if either does. Matches local date-times; time zones are the caller's.
 */
public final class CronExpression {

    private final String text;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet days;
    private final BitSet months;
    private final BitSet weekdays;
    private final boolean daysStar;
    private final boolean weekdaysStar;

    private CronExpression(String text, String[] f) {
        this.text = text;
        minutes = field(f[0], 0, 59, "minute");
        hours = field(f[1], 0, 23, "hour");
        days = field(f[2], 1, 31, "day of month");
        months = field(f[3], 1, 12, "month");
        BitSet dow = field(f[4], 0, 7, "day of week");
        if (dow.get(7)) {
            dow.set(0);
        }
        weekdays = dow;
        daysStar = f[2].startsWith("*");
        weekdaysStar = f[4].startsWith("*");
    }

    /** Parses the expression; a bad one throws {@link IllegalArgumentException} with a one-line reason. */
    public static CronExpression parse(String text) {
        String[] fields = text == null ? new String[0] : text.trim().split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException("cron '" + text
                    + "' must have five fields: minute hour day-of-month month day-of-week");
        }
        return new CronExpression(text.trim(), fields);
    }

    /** Whether the minute of this local date-time matches (seconds are ignored). */
    public boolean matches(LocalDateTime t) {
        if (!minutes.get(t.getMinute()) || !hours.get(t.getHour()) || !months.get(t.getMonthValue())) {
            return false;
        }
        boolean dom = days.get(t.getDayOfMonth());
        boolean dow = weekdays.get(t.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : t.getDayOfWeek().getValue());
        if (daysStar || weekdaysStar) {
            return dom && dow;
        }
        return dom || dow;
    }

    /** Whether any minute of this local hour can match (lets a scan skip whole hours). */
    boolean hourMayMatch(LocalDateTime t) {
        return hours.get(t.getHour()) && months.get(t.getMonthValue());
    }

    private BitSet field(String spec, int min, int max, String what) {
        BitSet bits = new BitSet(max + 1);
        for (String part : spec.split(",", -1)) {
            String range = part;
            int step = 1;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                range = part.substring(0, slash);
                step = number(part.substring(slash + 1), what);
                if (step < 1) {
                    throw bad(what, part);
                }
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = min;
                to = max;
            } else if (range.contains("-")) {
                String[] ends = range.split("-", -1);
                if (ends.length != 2) {
                    throw bad(what, part);
                }
                from = number(ends[0], what);
                to = number(ends[1], what);
            } else {
                from = number(range, what);
                to = slash >= 0 ? max : from; // "5/15" means 5-max/15, as in cron
            }
            if (from < min || to > max || from > to) {
                throw bad(what, part);
            }
            for (int v = from; v <= to; v += step) {
                bits.set(v);
            }
        }
        return bits;
    }

    private int number(String s, String what) {
        if (!s.matches("[0-9]{1,2}")) {
            throw bad(what, s);
        }
        return Integer.parseInt(s);
    }

    private IllegalArgumentException bad(String what, String part) {
        return new IllegalArgumentException("cron '" + text + "': '" + part + "' is not a valid " + what + " field");
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CronExpression c && c.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
