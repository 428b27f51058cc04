package dev.headstart.admission;

import dev.headstart.cluster.AlwaysPullImagesDetector;
import dev.headstart.cluster.ClusterAccess;
import dev.headstart.cluster.ClusterCpuBoostFacts;
import dev.headstart.cluster.NamespaceInformer;
import dev.headstart.cluster.PriorityClassInformer;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.rules.CpuBoostFacts;
import dev.headstart.rules.CpuBoostRule;
import dev.headstart.rules.GatedRule;
import dev.headstart.rules.NamespaceAnnotations;
import dev.headstart.rules.PriorityClassCatalog;
import dev.headstart.rules.PullPolicyRule;
import dev.headstart.rules.Rule;
import dev.headstart.rules.RuleEngine;
import dev.headstart.rules.RuleSet;
import dev.headstart.rules.RuleSettings;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.List;

/** Wires the pure rule engine to configuration, the cluster's caches, logging and metrics. */
public class RuleEngineProducer {

    @Produces
    @Singleton
    RuleEngine ruleEngine(HeadstartConfig config, ClusterAccess cluster, PriorityClassInformer informer,
            NamespaceInformer namespaces, AlwaysPullImagesDetector alwaysPullImages, AdmissionMetrics metrics,
            ClusterCpuBoostFacts cpuBoostFacts) {
        PriorityClassCatalog catalog = cluster.enabled() ? informer : config.configuredPriorityClass();
        NamespaceAnnotations annotations = cluster.enabled() ? namespaces : NamespaceAnnotations.NONE;
        return engine(config, catalog, annotations, alwaysPullImages, metrics,
                cluster.enabled() ? cpuBoostFacts : CpuBoostFacts.NONE);
    }

    /**
     * The engine over these cluster inputs: the webhook's (its informers) and the background scan's
     * (the controller's shared caches) are built here alike, so they judge a workload alike.
     */
    public static RuleEngine engine(HeadstartConfig config, PriorityClassCatalog catalog, NamespaceAnnotations namespaces,
            AlwaysPullImagesDetector alwaysPullImages, AdmissionMetrics metrics) {
        // The background scan: it judges existing pods, for which cpu-boost reads only the pod
        // (was a boost given back?), never the cluster facts a creation needs.
        return engine(config, catalog, namespaces, alwaysPullImages, metrics, CpuBoostFacts.NONE);
    }

    /** As above, with what cpu-boost reads of the cluster when a pod is created. */
    public static RuleEngine engine(HeadstartConfig config, PriorityClassCatalog catalog, NamespaceAnnotations namespaces,
            AlwaysPullImagesDetector alwaysPullImages, AdmissionMetrics metrics, CpuBoostFacts cpuBoostFacts) {
        RuleSettings settings = config.ruleSettings();
        List<Rule> rules = RuleSet.withCpuBoost(RuleSet.standard(settings, config.priorityClassRule(catalog, namespaces)),
                new CpuBoostRule(config.cpuBoostSettings(), cpuBoostFacts));
        return new RuleEngine(gated(rules, alwaysPullImages), settings.disabledRules(), new RuleErrorReporter(metrics));
    }

    /** pull-policy runs only where the AlwaysPullImages plugin is known to be off (see the detector). */
    public static List<Rule> gated(List<Rule> rules, AlwaysPullImagesDetector alwaysPullImages) {
        return rules.stream()
                .map(rule -> rule.name().equals(PullPolicyRule.NAME)
                        ? (Rule) new GatedRule(rule, alwaysPullImages::pullPolicyAllowed) : rule)
                .toList();
    }
}
