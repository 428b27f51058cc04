package dev.headstart.report;

import dev.headstart.rules.RuleResult;
import dev.headstart.rules.Workload;

import java.util.List;

/**
 * Where rule verdicts become PolicyReports. Implementations queue the write and return at once:
 * callers (admission, the background scan) never wait for the API server.
 */
public interface PolicyReportSink {

    /** Records the verdicts for one workload; replaces any earlier report for it. */
    void submit(Workload workload, List<RuleResult> results);
}
