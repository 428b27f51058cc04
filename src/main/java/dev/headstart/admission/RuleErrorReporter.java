package dev.headstart.admission;

import org.jboss.logging.Logger;

import java.util.function.BiConsumer;

/**
 * What happens when a rule throws: a log line and {@code headstart_rule_errors_total}. The engine
 * itself carries on without the rule (fail open).
 */
public final class RuleErrorReporter implements BiConsumer<String, RuntimeException> {

    private static final Logger LOG = Logger.getLogger(RuleErrorReporter.class);

    private final AdmissionMetrics metrics;

    public RuleErrorReporter(AdmissionMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void accept(String rule, RuntimeException error) {
        // The exception type only: messages can quote object contents (env values, annotations).
        LOG.warnf("rule %s failed and was skipped: %s", rule, error.getClass().getName());
        metrics.ruleError(rule);
    }
}
