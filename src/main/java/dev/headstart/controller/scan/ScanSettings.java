package dev.headstart.controller.scan;

import dev.headstart.config.HeadstartConfig;

import java.time.Duration;

/** When and how much the background scan reads. */
public record ScanSettings(boolean enabled, Duration interval, Duration initialDelay, int pageSize) {

    public ScanSettings {
        if (pageSize < 1) {
            throw new IllegalArgumentException("headstart.scan.page-size must be at least 1");
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("headstart.scan.interval must be positive");
        }
    }

    public static ScanSettings from(HeadstartConfig config) {
        HeadstartConfig.Scan scan = config.scan();
        return new ScanSettings(scan.enabled(), scan.interval(), scan.initialDelay(), scan.pageSize());
    }
}
