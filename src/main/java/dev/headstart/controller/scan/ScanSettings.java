package dev.headstart.controller.scan;

import dev.headstart.config.HeadstartConfig;

import java.time.Duration;

/** When and how much the background scan reads. */
public record ScanSettings(boolean enabled, Duration interval, Duration initialDelay, int pageSize,
        double reportsPerSecond) {

    static final double DEFAULT_REPORTS_PER_SECOND = 20;

    public ScanSettings(boolean enabled, Duration interval, Duration initialDelay, int pageSize) {
        this(enabled, interval, initialDelay, pageSize, DEFAULT_REPORTS_PER_SECOND);
    }

    public ScanSettings {
        if (!(reportsPerSecond > 0)) {
            throw new IllegalArgumentException("headstart.scan.reports-per-second must be positive");
        }
        if (pageSize < 1) {
            throw new IllegalArgumentException("headstart.scan.page-size must be at least 1");
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("headstart.scan.interval must be positive");
        }
    }

    public static ScanSettings from(HeadstartConfig config) {
        HeadstartConfig.Scan scan = config.scan();
        return new ScanSettings(scan.enabled(), scan.interval(), scan.initialDelay(), scan.pageSize(),
                scan.reportsPerSecond());
    }
}
