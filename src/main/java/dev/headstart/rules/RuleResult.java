package dev.headstart.rules;

import java.util.List;

/** What one rule said about one workload in validating mode. */
public record RuleResult(Rule rule, RuleStatus status, List<Finding> findings, String error) {

    public static RuleResult pass(Rule rule) {
        return new RuleResult(rule, RuleStatus.PASS, List.of(), null);
    }

    public static RuleResult skip(Rule rule) {
        return new RuleResult(rule, RuleStatus.SKIP, List.of(), null);
    }
}
