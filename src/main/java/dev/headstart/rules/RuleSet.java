package dev.headstart.rules;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The standard rules, in the order they run, built from settings. */
public final class RuleSet {

    /** Every standard rule's name, in rule order. */
    public static final List<String> NAMES = List.of(PriorityClassRule.NAME, StartupProbeRule.NAME,
            PullPolicyRule.NAME, ApiWaitRule.NAME, KubeProxyHostnameRule.NAME, CpuBoostRule.NAME);

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

    /** The standard rules followed by cpu-boost (built apart: its settings and cluster facts are its own). */
    public static List<Rule> withCpuBoost(List<Rule> standard, CpuBoostRule cpuBoost) {
        List<Rule> all = new ArrayList<>(standard);
        all.add(cpuBoost);
        return List.copyOf(all);
    }

    public static RuleEngine engine(RuleSettings settings, PriorityClassCatalog priorityClasses) {
        return new RuleEngine(standard(settings, priorityClasses), settings.disabledRules());
    }

    public static RuleEngine engine(RuleSettings settings, PriorityClassRule priorityClass) {
        return new RuleEngine(standard(settings, priorityClass), settings.disabledRules());
    }

    /** The names in {@code names} that are no standard rule's, in the order given. */
    public static List<String> unknown(Collection<String> names) {
        return names.stream().filter(n -> !NAMES.contains(n)).distinct().toList();
    }

    /**
     * What in the settings does not do what it seems to, one line each (for a log line at start-up
     * and the CLI's stderr): unknown names in {@code headstart.disabled-rules}, an api-wait rule
     * named half-way.
     */
    public static List<String> settingsWarnings(RuleSettings settings) {
        List<String> warnings = new ArrayList<>();
        List<String> unknown = unknown(settings.disabledRules());
        if (!unknown.isEmpty()) {
            warnings.add(unknownNamesMessage("headstart.disabled-rules", unknown));
        }
        boolean daemonSets = !settings.apiWaitDaemonSets().isEmpty();
        boolean image = settings.apiWaitImage() != null && !settings.apiWaitImage().isBlank();
        if (daemonSets != image) {
            warnings.add("api-wait stays off: set both headstart.api-wait.daemonsets and headstart.api-wait.image"
                    + " (only " + (daemonSets ? "daemonsets" : "image") + " is set)");
        }
        return warnings;
    }

    /**
     * Settings Headstart refuses to start with, one line each: api-wait named onto kube-proxy or a
     * kube-proxy replacement.
     */
    public static List<String> settingsErrors(RuleSettings settings) {
        return ApiWaitRule.refusal(settings.apiWaitDaemonSets()).stream().toList();
    }

    /** "unknown rule name(s) in {@code where}: a, b (rules: ...)", names shown printable and bounded. */
    public static String unknownNamesMessage(String where, List<String> unknown) {
        List<String> shown = unknown.stream().limit(5).map(RuleSet::printable).toList();
        String more = unknown.size() > shown.size() ? " and " + (unknown.size() - shown.size()) + " more" : "";
        return "unknown rule name" + (unknown.size() == 1 ? "" : "s") + " in " + where + ": "
                + String.join(", ", shown) + more + " (rules: " + String.join(", ", NAMES) + ")";
    }

    /** At most 60 characters (then "...") of letters, digits, '.', '_' and '-'; anything else shown as '?'. */
    private static String printable(String name) {
        String cut = name.length() > 63 ? name.substring(0, 60) + "..." : name;
        return '"' + cut.replaceAll("[^A-Za-z0-9._\\-]", "?") + '"';
    }
}
