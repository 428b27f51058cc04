package dev.headstart.rules;

import java.util.Map;
import java.util.Set;

/**
 * Everything the rules need from configuration, as plain values, so rules stay free of any
 * framework. The server and the CLI build it from the same typed configuration.
 */
public record RuleSettings(
        Set<String> disabledRules,
        String priorityClassName,
        int startupPeriodSeconds,
        int maxStartupSeconds,
        PullPolicyMode pullPolicyMode,
        Set<String> apiWaitDaemonSets,
        String apiWaitImage,
        int apiWaitTimeoutSeconds,
        Map<String, String> apiWaitRequests,
        Map<String, String> apiWaitLimits) {

    /** The documented defaults (api-wait inert: no DaemonSets, no image); used by tests and as the CLI's base. */
    public static RuleSettings defaults() {
        return new RuleSettings(Set.of(), "headstart-high", 1, 300, PullPolicyMode.PINNED,
                Set.of(), "", 120,
                Map.of("cpu", "10m", "memory", "16Mi"), Map.of("cpu", "50m", "memory", "32Mi"));
    }

    public RuleSettings withPullPolicyMode(PullPolicyMode mode) {
        return new RuleSettings(disabledRules, priorityClassName, startupPeriodSeconds, maxStartupSeconds, mode,
                apiWaitDaemonSets, apiWaitImage, apiWaitTimeoutSeconds, apiWaitRequests, apiWaitLimits);
    }

    public RuleSettings withDisabledRules(Set<String> disabled) {
        return new RuleSettings(disabled, priorityClassName, startupPeriodSeconds, maxStartupSeconds, pullPolicyMode,
                apiWaitDaemonSets, apiWaitImage, apiWaitTimeoutSeconds, apiWaitRequests, apiWaitLimits);
    }

    public RuleSettings withApiWait(Set<String> daemonSets, String image) {
        return new RuleSettings(disabledRules, priorityClassName, startupPeriodSeconds, maxStartupSeconds, pullPolicyMode,
                daemonSets, image, apiWaitTimeoutSeconds, apiWaitRequests, apiWaitLimits);
    }
}
