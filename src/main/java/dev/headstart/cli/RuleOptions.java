package dev.headstart.cli;

import java.io.InputStream;
import java.io.PrintWriter;

import dev.headstart.config.ConfigLoader;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.rules.PullPolicyMode;
import dev.headstart.rules.CpuBoostFacts;
import dev.headstart.rules.CpuBoostRule;
import dev.headstart.rules.CpuBoostSettings;
import dev.headstart.rules.RuleEngine;
import dev.headstart.rules.NamespaceAnnotations;
import dev.headstart.rules.RuleSet;
import dev.headstart.rules.RuleSettings;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
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

    @Option(names = ManifestReader.MAX_DOCUMENT_OPTION, defaultValue = ManifestReader.DEFAULT_MAX_DOCUMENT_SIZE,
            paramLabel = "SIZE", description = "The largest input file or YAML document to read, e.g. 4Gi (default 2Gi).")
    String maxDocumentSize;

    @Option(names = "--pull-policy", paramLabel = "pinned|all|off",
            description = "Override headstart.pull-policy.mode.")
    String pullPolicy;

    @Option(names = "--disable", split = ",", paramLabel = "rule",
            description = "Rules to switch off (comma list), added to headstart.disabled-rules.")
    List<String> disable = List.of();

    @Option(names = "--include-excluded",
            description = "Apply the rules also to what the install's webhooks never admit (kube-system pods, "
                    + "namespace headstart-system, Headstart's own objects); by default those are left alone.")
    boolean includeExcluded;

    /** What the install's webhooks of this kind admit, or null when --include-excluded asks for everything. */
    InstallScope scope(String configurationKind) {
        return includeExcluded ? null : InstallScope.of(configurationKind);
    }

    /** One stderr line for a workload the install would not admit. */
    static String excludedLine(dev.headstart.rules.Workload workload, String reason, String whatHappened) {
        String namespace = workload.namespace() == null || workload.namespace().isEmpty() ? "" : workload.namespace() + "/";
        return "headstart: " + whatHappened.formatted(workload.kind().kindName() + " " + namespace + workload.name())
                + ": the install does not admit it (" + reason + "); --include-excluded to apply the rules anyway";
    }

    /** The command this mixin belongs to: warnings go to its stderr. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** The engine, or an InputException with a one-line reason when configuration is invalid. */
    RuleEngine engine() throws InputException {
        RuleSettings settings;
        HeadstartConfig config;
        CpuBoostSettings cpuBoost;
        try {
            config = ConfigLoader.load();
            settings = config.ruleSettings();
            cpuBoost = config.cpuBoostSettings();
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
        List<String> refused = RuleSet.settingsErrors(settings);
        if (!refused.isEmpty()) {
            throw new InputException(refused.get(0));
        }
        List<String> warnings = new ArrayList<>(RuleSet.settingsWarnings(settings));
        if (!disable.isEmpty()) {
            Set<String> disabled = new HashSet<>(settings.disabledRules());
            List<String> named = disable.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
            disabled.addAll(named);
            settings = settings.withDisabledRules(Set.copyOf(disabled));
            List<String> unknown = RuleSet.unknown(named);
            if (!unknown.isEmpty()) {
                warnings.add(RuleSet.unknownNamesMessage("--disable", unknown));
            }
        }
        warn(warnings);
        // Offline there is no cluster to read: cpu-boost boosts as configured (CpuBoostFacts.NONE).
        return new RuleEngine(RuleSet.withCpuBoost(RuleSet.standard(settings,
                config.priorityClassRule(config.configuredPriorityClass(), NamespaceAnnotations.NONE)),
                new CpuBoostRule(cpuBoost, CpuBoostFacts.NONE)), settings.disabledRules());
    }

    /** What an offline command works on: the engine, and the documents to stream through it. */
    record Input(RuleEngine engine, ManifestReader documents) {
    }

    /** The engine and the documents' reader, or an InputException with a one-line reason. */
    Input load(InputStream stdin) throws InputException {
        RuleEngine engine = engine();
        return new Input(engine, new ManifestReader(source, stdin, ManifestReader.parseSize(maxDocumentSize)));
    }

    /** Configuration that does not do what it seems to: one "headstart: warning: ..." line each on stderr. */
    private void warn(List<String> warnings) {
        if (command == null || warnings.isEmpty()) {
            return;
        }
        PrintWriter err = command.commandLine().getErr();
        warnings.forEach(w -> err.println("headstart: warning: " + w));
        err.flush();
    }

    /** Usage and input errors: one line on stderr, exit code 2, never a stack trace. */
    static int inputError(PrintWriter err, String message) {
        err.println("headstart: " + message);
        err.flush();
        return 2;
    }

    private static String firstLine(String message) {
        return message == null ? "unknown error" : message.lines().findFirst().orElse("").strip();
    }
}
