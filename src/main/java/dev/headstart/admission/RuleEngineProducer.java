package dev.headstart.admission;

import dev.headstart.cluster.ClusterAccess;
import dev.headstart.cluster.PriorityClassInformer;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.rules.PriorityClassCatalog;
import dev.headstart.rules.PriorityClassSpec;
import dev.headstart.rules.RuleEngine;
import dev.headstart.rules.RuleSet;
import dev.headstart.rules.RuleSettings;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Wires the pure rule engine to configuration, the cluster's caches, logging and metrics. */
public class RuleEngineProducer {

    private static final Logger LOG = Logger.getLogger(RuleEngineProducer.class);

    @Produces
    @Singleton
    RuleEngine ruleEngine(HeadstartConfig config, ClusterAccess cluster, PriorityClassInformer informer,
            AdmissionMetrics metrics) {
        RuleSettings settings = config.ruleSettings();
        PriorityClassCatalog catalog = cluster.enabled() ? informer
                : PriorityClassCatalog.of(settings.priorityClassName(), new PriorityClassSpec(
                        config.priorityClass().value(), config.priorityClass().preemptionPolicy()));
        return new RuleEngine(RuleSet.standard(settings, catalog), settings.disabledRules(), (rule, e) -> {
            // The exception type and message only: object contents (env values, annotations) never reach logs.
            LOG.warnf("rule %s failed and was skipped: %s", rule, e.toString());
            metrics.ruleError(rule);
        });
    }
}
