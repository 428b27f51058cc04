package dev.headstart.rules;

/** The outcome of one rule on one workload, as PolicyReports name it. */
public enum RuleStatus {
    PASS, FAIL, SKIP, ERROR;

    public String reportValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
