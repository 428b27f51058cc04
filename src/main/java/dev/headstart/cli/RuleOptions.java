package dev.headstart.cli;

import dev.headstart.config.ConfigLoader;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.rules.PriorityClassCatalog;
import dev.headstart.rules.PriorityClassSpec;
import dev.headstart.rules.PullPolicyMode;
import dev.headstart.rules.RuleEngine;
import dev.headstart.rules.RuleSet;
import dev.headstart.rules.RuleSettings;
import picocli.CommandLine.Option;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The options shared by the offline commands, and the rule engine they build: the server's own
 * configuration ({@code application.properties}, {@code HEADSTART_*} environment variables, system
 * properties) with flags on top. Offline, the priority class is known by name only, from
 * configuration (its value and preemption policy too), as no cluster is read.
 */
final class RuleOptions {

    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "<file|dir|->",
            description = "Manifest file (YAML, multi-document, or JSON), directory of them, or - for stdin.")
    String source;

    @Option(names = "--pull-policy", paramLabel = "pinned|all|off",
            description = "Override headstart.pull-policy.mode.")
    String pullPolicy;

    @Option(names = "--disable", split = ",", paramLabel = "rule",
            description = "Rules to switch off (comma list), added to headstart.disabled-rules.")
    List<String> disable = List.of();

    /** The engine, or an InputException with a one-line reason when configuration is invalid. */
    RuleEngine engine() throws InputException {
        RuleSettings settings;
        HeadstartConfig config;
        try {
            config = ConfigLoader.load();
            settings = config.ruleSettings();
        } catch (RuntimeException e) {
            throw new InputException("invalid configuration: " + firstLine(e.getMessage()));
        }
        if (pullPolicy != null) {
            try {
                settings = settings.withPullPolicyMode(PullPolicyMode.valueOf(pullPolicy.trim().toUpperCase(java.util.Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new InputException("--pull-policy must be pinned, all or off, not '" + pullPolicy + "'");
            }
        }
        if (!disable.isEmpty()) {
            Set<String> disabled = new HashSet<>(settings.disabledRules());
            disable.stream().map(String::trim).filter(s -> !s.isEmpty()).forEach(disabled::add);
            settings = settings.withDisabledRules(Set.copyOf(disabled));
        }
        PriorityClassCatalog catalog = PriorityClassCatalog.of(settings.priorityClassName(),
                new PriorityClassSpec(config.priorityClass().value(), config.priorityClass().preemptionPolicy()));
        return RuleSet.engine(settings, catalog);
    }

    private static String firstLine(String message) {
        return message == null ? "unknown error" : message.lines().findFirst().orElse("").strip();
    }
}
