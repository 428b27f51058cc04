package dev.headstart.controller.headroom;

import dev.headstart.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue 25, schedules: windows in IANA zones, across DST, overlapping, and bad ones. */
class HeadroomScheduleTest {

    private static HeadroomWindow window(String name, String cron, String duration, String zone, String value) {
        try {
            return HeadroomWindow.parse(Json.MAPPER.readTree("{\"name\":\"" + name + "\",\"cron\":\"" + cron
                    + "\",\"duration\":\"" + duration + "\",\"timeZone\":\"" + zone + "\"," + value + "}"), "p");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Instant at(String text) {
        return OffsetDateTime.parse(text).toInstant();
    }

    /** Berlin: CET -> CEST on 2026-03-29 02:00, back on 2026-10-25 03:00. New York: 2026-03-08 and 2026-11-01. */
    @ParameterizedTest(name = "{0} {1} {2} {3} at {4} -> {5}")
    @CsvSource(delimiter = '|', value = {
            // business hours at 08:00 local on both sides of spring-forward
            "0 8 * * 1-5 | 10h | Europe/Berlin    | Fri before | 2026-03-27T08:00:00+01:00 | true",
            "0 8 * * 1-5 | 10h | Europe/Berlin    | Fri before | 2026-03-27T07:59:00+01:00 | false",
            "0 8 * * 1-5 | 10h | Europe/Berlin    | Fri before | 2026-03-27T17:59:59+01:00 | true",
            "0 8 * * 1-5 | 10h | Europe/Berlin    | Fri before | 2026-03-27T18:00:00+01:00 | false",
            "0 8 * * 1-5 | 10h | Europe/Berlin    | Mon after  | 2026-03-30T08:00:00+02:00 | true",
            "0 8 * * 1-5 | 10h | Europe/Berlin    | Mon after  | 2026-03-30T07:59:00+02:00 | false",
            "0 8 * * 1-5 | 10h | Europe/Berlin    | Mon after  | 2026-03-30T18:00:00+02:00 | false",
            "0 8 * * 1-5 | 10h | Europe/Berlin    | Sat        | 2026-03-28T09:00:00+01:00 | false",
            // and of fall-back
            "0 8 * * 1-5 | 10h | Europe/Berlin    | Fri before | 2026-10-23T08:00:00+02:00 | true",
            "0 8 * * 1-5 | 10h | Europe/Berlin    | Mon after  | 2026-10-26T08:00:00+01:00 | true",
            "0 8 * * 1-5 | 10h | Europe/Berlin    | Mon after  | 2026-10-26T07:30:00+01:00 | false",
            // a start skipped by spring-forward starts at the end of the gap (03:00 CEST)
            "30 2 * * *  | 1h  | Europe/Berlin    | gap        | 2026-03-29T01:59:00+01:00 | false",
            "30 2 * * *  | 1h  | Europe/Berlin    | gap        | 2026-03-29T03:00:00+02:00 | true",
            "30 2 * * *  | 1h  | Europe/Berlin    | gap        | 2026-03-29T03:59:00+02:00 | true",
            "30 2 * * *  | 1h  | Europe/Berlin    | gap        | 2026-03-29T04:00:00+02:00 | false",
            "30 2 * * *  | 1h  | Europe/Berlin    | day before | 2026-03-28T02:30:00+01:00 | true",
            // a start in the fall-back overlap starts once, at the first 02:30
            "30 2 * * *  | 30m | Europe/Berlin    | overlap 1  | 2026-10-25T02:30:00+02:00 | true",
            "30 2 * * *  | 30m | Europe/Berlin    | overlap 2  | 2026-10-25T02:30:00+01:00 | false",
            // New York, its own DST dates
            "0 8 * * 1-5 | 9h  | America/New_York | Fri before | 2026-03-06T08:00:00-05:00 | true",
            "0 8 * * 1-5 | 9h  | America/New_York | Mon after  | 2026-03-09T08:00:00-04:00 | true",
            "0 8 * * 1-5 | 9h  | America/New_York | Mon after  | 2026-03-09T07:59:00-04:00 | false",
            "0 8 * * 1-5 | 9h  | America/New_York | Mon after  | 2026-11-02T08:00:00-05:00 | true",
            "0 8 * * 1-5 | 9h  | America/New_York | Mon after  | 2026-11-02T07:30:00-05:00 | false",
            "0 2 * * *   | 1h  | America/New_York | gap        | 2026-03-08T03:00:00-04:00 | true",
            "0 2 * * *   | 1h  | America/New_York | gap        | 2026-03-08T01:59:00-05:00 | false",
            // a window spanning midnight, steps and lists
            "0 22 * * *  | 8h  | Europe/Berlin    | night      | 2026-12-08T05:59:00+01:00 | true",
            "0 22 * * *  | 8h  | Europe/Berlin    | night      | 2026-12-08T06:00:00+01:00 | false",
            "*/20 9,12 * * * | 10m | UTC           | step       | 2026-12-07T12:45:00Z      | true",
            "*/20 9,12 * * * | 10m | UTC           | step       | 2026-12-07T12:35:00Z      | false",
    })
    void aWindowIsOpenAtLocalTimesOnBothSidesOfDst(String cron, String duration, String zone, String what, String when,
            boolean open) {
        HeadroomWindow w = window("w", cron, duration, zone, "\"min\":1");
        assertThat(HeadroomSchedule.isOpen(w, at(when))).isEqualTo(open);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0 0 1 * 1    | 2026-12-07T00:00 | true",  // a Monday, not the 1st: either day field matches
            "0 0 1 * 1    | 2026-12-01T00:00 | true",  // the 1st, a Tuesday
            "0 0 1 * 1    | 2026-12-08T00:00 | false",
            "0 0 * * 0    | 2026-12-06T00:00 | true",  // Sunday as 0
            "0 0 * * 7    | 2026-12-06T00:00 | true",  // and as 7
            "5-10/5 * * * * | 2026-12-06T03:10 | true",
            "5-10/5 * * * * | 2026-12-06T03:07 | false",
            "0 9 * 12 *   | 2026-12-06T09:00 | true",
            "0 9 * 1-11 * | 2026-12-06T09:00 | false",
    })
    void cronFieldsMatchAsInCron(String cron, String local, boolean match) {
        assertThat(CronExpression.parse(cron).matches(LocalDateTime.parse(local))).isEqualTo(match);
    }

    @Test
    void overlapsAReplacingWindowWinsFirstListedElseTheLargestMin() {
        HeadroomWindow business = window("business-hours", "0 8 * * 1-5", "10h", "Europe/Berlin", "\"min\":6");
        HeadroomWindow peak = window("peak", "0 11 * * 1-5", "2h", "Europe/Berlin", "\"min\":10");
        HeadroomWindow freeze = window("freeze", "0 12 * * *", "1h", "Europe/Berlin", "\"replicas\":2");
        HeadroomWindow night = window("night", "0 12 * * *", "1h", "Europe/Berlin", "\"replicas\":0");
        Instant monday1130 = at("2026-12-07T11:30:00+01:00");
        Instant monday0930 = at("2026-12-07T09:30:00+01:00");
        assertThat(HeadroomSchedule.apply(3, List.of(business, peak), monday1130))
                .isEqualTo(new HeadroomSchedule.Active("peak", 10));
        assertThat(HeadroomSchedule.apply(12, List.of(business, peak), monday1130))
                .as("a minimum never lowers the plan").isEqualTo(new HeadroomSchedule.Active("peak", 12));
        assertThat(HeadroomSchedule.apply(3, List.of(business, peak), monday0930))
                .isEqualTo(new HeadroomSchedule.Active("business-hours", 6));
        Instant monday1230 = at("2026-12-07T12:30:00+01:00");
        assertThat(HeadroomSchedule.apply(30, List.of(business, peak, freeze, night), monday1230))
                .isEqualTo(new HeadroomSchedule.Active("freeze", 2));
        assertThat(HeadroomSchedule.apply(30, List.of(night, freeze), monday1230))
                .as("zero is honoured").isEqualTo(new HeadroomSchedule.Active("night", 0));
        assertThat(HeadroomSchedule.apply(3, List.of(business), at("2026-12-07T19:00:00+01:00")))
                .isEqualTo(new HeadroomSchedule.Active(null, 3));
    }

    @Test
    void theNextBoundaryIsTheNextOpeningOrClosingWithinTheHorizon() {
        HeadroomWindow business = window("business-hours", "0 8 * * 1-5", "10h", "Europe/Berlin", "\"min\":6");
        // Monday after spring-forward, 07:00 CEST: opens at 08:00 CEST.
        assertThat(HeadroomSchedule.nextBoundary(List.of(business), at("2026-03-30T07:00:00+02:00")))
                .contains(at("2026-03-30T08:00:00+02:00"));
        assertThat(HeadroomSchedule.nextBoundary(List.of(business), at("2026-03-30T09:00:00+02:00")))
                .contains(at("2026-03-30T18:00:00+02:00"));
        // Friday evening: Monday is beyond the two-day horizon; the caller looks again then.
        assertThat(HeadroomSchedule.nextBoundary(List.of(business), at("2026-03-27T18:00:00+01:00"))).isEmpty();
        HeadroomWindow gap = window("gap", "30 2 * * *", "1h", "Europe/Berlin", "\"min\":1");
        assertThat(HeadroomSchedule.nextBoundary(List.of(gap), at("2026-03-29T01:00:00+01:00")))
                .contains(at("2026-03-29T03:00:00+02:00"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"name\":\"w\",\"cron\":\"61 8 * * *\",\"duration\":\"1h\",\"min\":1}  | is not a valid minute field",
            "{\"name\":\"w\",\"cron\":\"0 8 * *\",\"duration\":\"1h\",\"min\":1}     | must have five fields",
            "{\"name\":\"w\",\"cron\":\"0 8 * * 1\",\"duration\":\"1h\",\"timeZone\":\"Europe/Nowhere\",\"min\":1} | is not an IANA time zone",
            "{\"name\":\"w\",\"cron\":\"0 8 * * 1\",\"duration\":\"0h\",\"min\":1}   | must be more than 0 and at most 7d",
            "{\"name\":\"w\",\"cron\":\"0 8 * * 1\",\"duration\":\"ten\",\"min\":1}  | must be like 10h",
            "{\"name\":\"w\",\"cron\":\"0 8 * * 1\",\"duration\":\"1h\",\"min\":1,\"replicas\":2} | exactly one of min",
            "{\"name\":\"w\",\"cron\":\"0 8 * * 1\",\"duration\":\"1h\",\"min\":-1}  | whole number >= 0",
            "{\"name\":\"w\",\"cron\":\"0 8 * * 1\",\"duration\":\"1h\",\"min\":1,\"x\":1} | unknown key",
    })
    void aBadWindowIsAOneLinePoolErrorBesideAGoodPool(String window, String reason) {
        String text = "{\"pools\":[{\"name\":\"bad\",\"linear\":{\"nodesPerReplica\":2},\"schedules\":[" + window
                + "]},{\"name\":\"good\",\"linear\":{\"nodesPerReplica\":2},\"schedules\":[{\"name\":\"b\","
                + "\"cron\":\"0 8 * * 1-5\",\"duration\":\"10h\",\"timeZone\":\"Europe/Berlin\",\"min\":6}]}]}";
        HeadroomPool.Parsed parsed = HeadroomPool.parseAll(text, HeadroomObjectsTest.settings(Map.of(), List.of(), "1"));
        assertThat(parsed.pools()).containsOnlyKeys("good");
        assertThat(parsed.pools().get("good").schedules()).hasSize(1);
        assertThat(parsed.errors().get("bad")).contains(reason).startsWith("pool bad: schedule").doesNotContain("\n");
    }
}
