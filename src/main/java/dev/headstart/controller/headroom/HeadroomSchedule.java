package dev.headstart.controller.headroom;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.List;
import java.util.Optional;

/**
 * Which schedule window of a pool is open at an instant, what it makes of the plan, and when the
 * next window opens or closes. Pure: a function of the windows and the instant.
 *
 * <p>Starts are the local minutes the cron matches in the window's zone (java.time's rules, so a
 * window at 08:00 starts at 08:00 local on both sides of a DST change). A start in a spring-forward
 * gap starts at the first valid instant after it, the end of the gap (ISC/Vixie cron's rule for
 * jobs at a specific time); a start in a fall-back overlap starts once, at the first occurrence.
 * A window lasts {@code duration} of elapsed time.
 *
 * <p>Overlaps: a window that replaces the plan wins over those that set a minimum, the first listed
 * among several; otherwise the largest minimum wins (the first listed on a tie).
 */
public final class HeadroomSchedule {

    /** How far ahead {@link #nextBoundary} looks; with none in it, the caller checks again then. */
    public static final Duration HORIZON = Duration.ofDays(2);
    /** Local time scans reach this far beyond the instant range, so DST shifts never drop a start. */
    private static final Duration SLACK = Duration.ofHours(3);

    private HeadroomSchedule() {
    }

    /** The outcome: the window in force (null: none) and the replicas the pool gets. */
    public record Active(String window, int replicas) {
    }

    /** The pool's replicas at {@code at}: the plan as the open windows change it. */
    public static Active apply(int planned, List<HeadroomWindow> windows, Instant at) {
        HeadroomWindow floor = null;
        for (HeadroomWindow w : windows) {
            if (!isOpen(w, at)) {
                continue;
            }
            if (w.replaces()) {
                return new Active(w.name(), w.replicas());
            }
            if (floor == null || w.min() > floor.min()) {
                floor = w;
            }
        }
        return floor == null ? new Active(null, planned) : new Active(floor.name(), Math.max(planned, floor.min()));
    }

    /** Whether a start of the window lies in {@code (at - duration, at]}. */
    public static boolean isOpen(HeadroomWindow w, Instant at) {
        return lastStart(w, at).map(s -> at.isBefore(s.plus(w.duration()))).orElse(false);
    }

    /** The latest start at or before {@code at}, looking back one duration. */
    static Optional<Instant> lastStart(HeadroomWindow w, Instant at) {
        ZoneId zone = w.timeZone();
        LocalDateTime t = LocalDateTime.ofInstant(at, zone).truncatedTo(ChronoUnit.MINUTES);
        LocalDateTime stop = LocalDateTime.ofInstant(at.minus(w.duration()).minus(SLACK), zone);
        Instant best = null;
        for (; !t.isBefore(stop); t = t.minusMinutes(1)) {
            if (!w.cron().hourMayMatch(t)) {
                t = t.withMinute(0); // the loop's step moves to the previous hour's last minute
                continue;
            }
            if (w.cron().matches(t)) {
                Instant start = startInstant(t, zone);
                if (!start.isAfter(at) && (best == null || start.isAfter(best))) {
                    best = start;
                    if (start.isAfter(at.minus(SLACK))) {
                        break; // local order and instant order agree outside DST shifts
                    }
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /** The first instant after {@code at} when a window opens or closes, within {@link #HORIZON}. */
    public static Optional<Instant> nextBoundary(List<HeadroomWindow> windows, Instant at) {
        Instant next = null;
        for (HeadroomWindow w : windows) {
            Optional<Instant> last = lastStart(w, at);
            if (last.isPresent() && last.get().plus(w.duration()).isAfter(at)) {
                next = earlier(next, last.get().plus(w.duration()));
            }
            ZoneId zone = w.timeZone();
            LocalDateTime t = LocalDateTime.ofInstant(at, zone).truncatedTo(ChronoUnit.MINUTES);
            LocalDateTime stop = LocalDateTime.ofInstant(at.plus(HORIZON).plus(SLACK), zone);
            for (; !t.isAfter(stop); t = t.plusMinutes(1)) {
                if (!w.cron().hourMayMatch(t)) {
                    t = t.withMinute(59);
                    continue;
                }
                if (w.cron().matches(t)) {
                    Instant start = startInstant(t, zone);
                    if (start.isAfter(at)) {
                        next = earlier(next, start);
                        break;
                    }
                }
            }
        }
        return Optional.ofNullable(next).filter(n -> !n.isAfter(at.plus(HORIZON)));
    }

    /** The instant a local start time means: the end of a DST gap it falls in, the first of two in an overlap. */
    static Instant startInstant(LocalDateTime local, ZoneId zone) {
        List<java.time.ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
        if (offsets.isEmpty()) {
            ZoneOffsetTransition gap = zone.getRules().getTransition(local);
            return gap.getInstant();
        }
        return local.atZone(zone).toInstant(); // in an overlap java.time takes the earlier offset
    }

    private static Instant earlier(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }
}
