package dev.headstart.controller.warmpool;

import dev.headstart.config.HeadstartConfig;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the warm-node planner needs from configuration.
 *
 * @param hooks            the launching hook names Headstart drives: {@code hook-name} and, if set and
 *                         different, {@code launch-hook-name}. Each one the group has is completed at
 *                         both stages of a launch ({@code Warmed:Pending:Wait} and {@code Pending:Wait}).
 * @param coldLaunchWindow untainted nodes this young are looked at on every pass: a cold launch (or
 *                         a stopped warm instance starting again) waits in {@code Pending:Wait} for its hook
 * @param sweepInterval    every this often every node with an EC2 instance is looked at once, to find
 *                         instances returned to a warm pool on scale-in; zero switches the sweep off
 */
public record WarmPoolSettings(
        WarmupTaint taint,
        List<String> hooks,
        Duration heartbeatInterval,
        Duration cacheBudget,
        Duration coldLaunchWindow,
        Duration sweepInterval) {

    public WarmPoolSettings {
        hooks = List.copyOf(new LinkedHashSet<>(hooks));
    }

    /** One hook, or a warm-up hook and a launch hook of another name (both are launching hooks). */
    public WarmPoolSettings(WarmupTaint taint, String hookName, Optional<String> launchHookName,
                            Duration heartbeatInterval, Duration cacheBudget) {
        this(taint, Stream.concat(Stream.of(hookName), launchHookName.stream()).toList(), heartbeatInterval, cacheBudget,
                Duration.ofMinutes(15), Duration.ofMinutes(5));
    }

    public static WarmPoolSettings from(HeadstartConfig.WarmPool config) {
        return new WarmPoolSettings(
                WarmupTaint.parse(config.taint()),
                Stream.concat(Stream.of(config.hookName()), config.launchHookName().stream())
                        .map(String::trim).filter(s -> !s.isEmpty()).toList(),
                Duration.ofSeconds(Math.max(1, config.heartbeatIntervalSeconds())),
                Duration.ofSeconds(Math.max(0, config.cacheBudgetSeconds())),
                Duration.ofSeconds(Math.max(0, config.coldLaunchWindowSeconds())),
                Duration.ofSeconds(Math.max(0, config.sweepSeconds())));
    }

    public WarmPoolSettings withWindows(Duration coldLaunchWindow, Duration sweepInterval) {
        return new WarmPoolSettings(taint, hooks, heartbeatInterval, cacheBudget, coldLaunchWindow, sweepInterval);
    }
}
