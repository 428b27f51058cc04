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
 * rule configured half-way. The server starts regardless.
 */
@Singleton
public class RuleSettingsWarnings {

    private static final Logger LOG = Logger.getLogger(RuleSettingsWarnings.class);

    private final HeadstartConfig config;

    public RuleSettingsWarnings(HeadstartConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        log();
    }

    /** The lines logged; also what the start-up observer logs. */
    List<String> log() {
        List<String> warnings = RuleSet.settingsWarnings(config.ruleSettings());
        warnings.forEach(w -> LOG.warn(w));
        return warnings;
    }
}
