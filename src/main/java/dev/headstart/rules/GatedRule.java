package dev.headstart.rules;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A rule that runs only while its gate is open, asked per object: closed, it has nothing to say
 * (no finding, no change), as if disabled. The webhook gates pull-policy on the AlwaysPullImages
 * probe this way, without the rule knowing about clusters.
 */
public final class GatedRule implements Rule {

    private final Rule rule;
    private final BooleanSupplier open;

    public GatedRule(Rule rule, BooleanSupplier open) {
        this.rule = rule;
        this.open = open;
    }

    @Override
    public String name() {
        return rule.name();
    }

    @Override
    public boolean appliesTo(Workload workload) {
        return open.getAsBoolean() && rule.appliesTo(workload);
    }

    @Override
    public List<Finding> check(Workload workload) {
        return open.getAsBoolean() ? rule.check(workload) : List.of();
    }

    @Override
    public boolean mutate(Workload workload, Warnings warnings) {
        return open.getAsBoolean() && rule.mutate(workload, warnings);
    }

    @Override
    public boolean insertsArrayElements() {
        return rule.insertsArrayElements();
    }

    @Override
    public String severity() {
        return rule.severity();
    }

    @Override
    public String category() {
        return rule.category();
    }
}
