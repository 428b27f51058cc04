package dev.headstart.config;

import dev.headstart.rules.RuleSet;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * At start-up, one warning line for each rule setting that does not do what it seems to: a rule
 * name in {@code headstart.disabled-rules} that no rule has (a typo disables nothing), an api-wait
 * rule configured half-way; the server starts regardless. A setting that would break nodes (api-wait
 * on kube-proxy or a kube-proxy replacement) stops start-up with one line instead.
 */
@Singleton
public class RuleSettingsWarnings {

    private static final Logger LOG = Logger.getLogger(RuleSettingsWarnings.class);

    private final HeadstartConfig config;

    public RuleSettingsWarnings(HeadstartConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        refuseBadSettings();
        log();
    }

    /** Stops start-up with one line when a setting would break nodes (api-wait on kube-proxy). */
    void refuseBadSettings() {
        List<String> errors = RuleSet.settingsErrors(config.ruleSettings());
        if (!errors.isEmpty()) {
            LOG.error(errors.get(0));
            throw new IllegalStateException(errors.get(0));
        }
    }

    /** The lines logged; also what the start-up observer logs. */
    List<String> log() {
        List<String> warnings = RuleSet.settingsWarnings(config.ruleSettings());
        warnings.forEach(w -> LOG.warn(w));
        return warnings;
    }
}
