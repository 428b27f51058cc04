package dev.headstart.rules;

import java.util.List;

/** The standard rules, in the order they run, built from settings. */
public final class RuleSet {

    private RuleSet() {
    }

    public static List<Rule> standard(RuleSettings settings, PriorityClassCatalog priorityClasses) {
        return standard(settings, new PriorityClassRule(settings.priorityClassName(), priorityClasses));
    }

    /** As above, with a priority-class rule built by the caller (its cluster caches and exclusions). */
    public static List<Rule> standard(RuleSettings settings, PriorityClassRule priorityClass) {
        return List.of(
                priorityClass,
                new StartupProbeRule(settings.startupPeriodSeconds(), settings.maxStartupSeconds()),
                new PullPolicyRule(settings.pullPolicyMode()),
                new ApiWaitRule(settings.apiWaitDaemonSets(), settings.apiWaitImage(),
                        settings.apiWaitTimeoutSeconds(), settings.apiWaitRequests(), settings.apiWaitLimits()),
                new KubeProxyHostnameRule());
    }

    public static RuleEngine engine(RuleSettings settings, PriorityClassCatalog priorityClasses) {
        return new RuleEngine(standard(settings, priorityClasses), settings.disabledRules());
    }

    public static RuleEngine engine(RuleSettings settings, PriorityClassRule priorityClass) {
        return new RuleEngine(standard(settings, priorityClass), settings.disabledRules());
    }
}
