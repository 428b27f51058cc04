package dev.headstart.cli;

import dev.headstart.telemetry.NodePhase;
import dev.headstart.telemetry.PodPhase;
import dev.headstart.telemetry.SecondsText;
import dev.headstart.telemetry.StartupReport;
import dev.headstart.telemetry.Summary;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code headstart startup -o table}: the phases as rows, the two groups side by side (count,
 * p50, p90, max) and their difference at p50 and p90 ({@code on − off}: negative is faster with
 * Headstart). When any Ready pod was cpu-boosted, a {@code CPU BOOST} block compares the
 * {@code startup} phase of boosted and not boosted pods the same way.
 */
final class StartupTable {

    private static final String GROUPS = "%-16s  %-33s %-33s   %s";
    private static final String ROW = "%-16s %6s %8s %8s %8s  %6s %8s %8s %8s  %9s %9s%n";

    private StartupTable() {
    }

    static void print(PrintWriter out, StartupReport report) {
        groups(out, "PODS", "headstart on: " + report.on().count() + " Ready",
                "headstart off: " + report.off().count() + " Ready", "on − off");
        out.printf(ROW, "phase", "n", "p50", "p90", "max", "n", "p50", "p90", "max", "p50", "p90");
        for (PodPhase phase : PodPhase.values()) {
            row(out, phase.label(), report.on().phases().get(phase), report.off().phases().get(phase));
        }
        row(out, "image pull", report.on().pullSeconds(), report.off().pullSeconds());
        groups(out, "  cache hits", "       " + cached(report.on()), "       " + cached(report.off()), "");
        out.println();
        StartupReport.BoostSplit boost = report.cpuBoost();
        if (boost.boostedCount() > 0) { // left out without boosted pods: the table reads as before
            groups(out, "CPU BOOST", "boosted: " + boost.boostedCount() + " Ready",
                    "not boosted: " + boost.notBoostedCount() + " Ready", "boosted − not");
            out.printf(ROW, "phase", "n", "p50", "p90", "max", "n", "p50", "p90", "max", "p50", "p90");
            row(out, PodPhase.STARTUP.label(), boost.boosted(), boost.notBoosted());
            out.println();
        }
        groups(out, "NODES", "warm pool: " + report.warmPool().nodes().size(),
                "cold: " + report.cold().nodes().size(), "warm − cold");
        out.printf(ROW, "phase", "n", "p50", "p90", "max", "n", "p50", "p90", "max", "p50", "p90");
        for (NodePhase phase : NodePhase.values()) {
            row(out, phase.label(), report.warmPool().phases().get(phase), report.cold().phases().get(phase));
        }
        out.flush();
    }

    private static void row(PrintWriter out, String name, Summary a, Summary b) {
        List<Object> cells = new ArrayList<>(List.of(name));
        for (Summary s : List.of(a, b)) {
            cells.add(s.count());
            cells.add(SecondsText.of(s.p50()));
            cells.add(SecondsText.of(s.p90()));
            cells.add(SecondsText.of(s.max()));
        }
        cells.add(SecondsText.difference(a.p50(), b.p50()));
        cells.add(SecondsText.difference(a.p90(), b.p90()));
        out.printf(ROW, cells.toArray());
    }

    private static void groups(PrintWriter out, String name, String a, String b, String difference) {
        out.println(String.format(GROUPS, name, a, b, difference).stripTrailing());
    }

    static String cached(StartupReport.PodGroup group) {
        if (group.pulls() == 0) {
            return "–";
        }
        return String.format(Locale.ROOT, "%d/%d (%d%%)", group.cached(), group.pulls(),
                Math.round(100.0 * group.cached() / group.pulls()));
    }
}
