package dev.headstart.controller.warmpool;

import dev.headstart.config.HeadstartConfig;

import java.time.Duration;
import java.util.Optional;

/** What the warm-node planner needs from configuration. */
public record WarmPoolSettings(
        WarmupTaint taint,
        String hookName,
        Optional<String> launchHookName,
        Duration heartbeatInterval,
        Duration cacheBudget) {

    public static WarmPoolSettings from(HeadstartConfig.WarmPool config) {
        return new WarmPoolSettings(
                WarmupTaint.parse(config.taint()),
                config.hookName().trim(),
                config.launchHookName().map(String::trim).filter(s -> !s.isEmpty()),
                Duration.ofSeconds(Math.max(1, config.heartbeatIntervalSeconds())),
                Duration.ofSeconds(Math.max(0, config.cacheBudgetSeconds())));
    }
}
