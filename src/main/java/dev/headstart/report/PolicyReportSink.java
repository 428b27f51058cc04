package dev.headstart.report;

import dev.headstart.rules.RuleResult;
import dev.headstart.rules.Workload;

import java.util.List;

/**
 * Where rule verdicts become PolicyReports. Implementations queue the write and return at once:
 * callers (admission, the background scan) never wait for the API server.
 */
public interface PolicyReportSink {

    /**
     * Records the verdicts on one workload as an admission review showed it; replaces any earlier
     * report for it, but only once that very object is stored (validating admission runs before
     * storage: the request may still be denied or fail).
     */
    void submit(Workload workload, List<RuleResult> results);

    /** Records the verdicts on one workload read from the API server (so stored, with its uid). */
    default void submitStored(Workload workload, List<RuleResult> results) {
        submit(workload, results);
    }

    /**
     * For bulk producers (the background scan): waits while the write queue is half full or more,
     * so a scan slows down to the pace of the writes instead of pushing out verdicts (its own, or
     * admission's, or retries). Admission never calls it.
     */
    default void awaitRoom() throws InterruptedException {
    }

    /** The report API reports are written to now: what the scan's clean-up sweeps. */
    default ReportApi reportApi() {
        return ReportApi.WGPOLICYK8S;
    }
}
