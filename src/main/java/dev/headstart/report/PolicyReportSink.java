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

    /**
     * For bulk producers (the background scan): waits while the write queue is half full or more,
     * so a scan slows down to the pace of the writes instead of pushing out verdicts (its own, or
     * admission's, or retries). Admission never calls it.
     */
    default void awaitRoom() throws InterruptedException {
    }
}
