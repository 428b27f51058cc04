package dev.headstart.admission;

import dev.headstart.cluster.ClusterAccess;
import dev.headstart.cluster.PriorityClassInformer;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.rules.PriorityClassCatalog;
import dev.headstart.rules.RuleEngine;
import dev.headstart.rules.RuleSet;
import dev.headstart.rules.RuleSettings;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Wires the pure rule engine to configuration, the cluster's caches, logging and metrics. */
public class RuleEngineProducer {

    @Produces
    @Singleton
    RuleEngine ruleEngine(HeadstartConfig config, ClusterAccess cluster, PriorityClassInformer informer,
            AdmissionMetrics metrics) {
        RuleSettings settings = config.ruleSettings();
        PriorityClassCatalog catalog = cluster.enabled() ? informer : config.configuredPriorityClass();
        return new RuleEngine(RuleSet.standard(settings, catalog), settings.disabledRules(),
                new RuleErrorReporter(metrics));
    }
}
