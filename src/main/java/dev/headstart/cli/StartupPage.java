package dev.headstart.cli;

import dev.headstart.telemetry.NodePhase;
import dev.headstart.telemetry.NodeStartup;
import dev.headstart.telemetry.PodPhase;
import dev.headstart.telemetry.PodStartup;
import dev.headstart.telemetry.SecondsText;
import dev.headstart.telemetry.StartupReport;
import dev.headstart.telemetry.Summary;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * {@code headstart startup -o html}: one self-contained page (inline CSS and SVG, nothing fetched)
 * with the phase table and a waterfall of the slowest pods and nodes, each phase a coloured bar,
 * Headstart's pods (and warm-pool nodes) told apart by a badge and a tinted row. Written as XHTML
 * so that any XML parser reads it (the tests do).
 */
final class StartupPage {

    private static final Map<String, String> COLOURS = Map.of(
            "scheduling", "#4e79a7", "initialization", "#f28e2b", "startup", "#59a14f",
            "ready", "#4e79a7", "imageCache", "#b07aa1", "warmUp", "#e15759");
    private static final String ON = "#0f766e";
    private static final String ON_ROW = "#e3f2ef";
    private static final String OFF = "#6b7280";
    private static final String OFF_ROW = "#f3f4f6";
    private static final int WIDTH = 1240;
    private static final int LABEL = 340;
    private static final int ROW = 24;
    private static final int BAR = 14;
    private static final int TOP = 34;
    /** Axis steps in seconds; past the last, whole days times 1, 2 or 5 × 10^k: at most 8 ticks at any span. */
    private static final double[] STEPS = {0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400,
            21600, 43200, 86400};

    private StartupPage() {
    }

    static void print(PrintWriter out, StartupReport report, String source, int slowest) {
        StringBuilder html = new StringBuilder(32_768);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n")
                .append("<title>Headstart startup report</title>\n<style>\n")
                .append("body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px 32px;color:#1f2937;background:#fff}\n")
                .append("h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}\n")
                .append(".source{color:#6b7280;font-size:13px;margin-bottom:14px}\n")
                .append(".headline{font-size:16px;margin:10px 0 16px;padding:10px 14px;background:#f0fdf4;border-left:4px solid #16a34a}\n")
                .append("table{border-collapse:collapse;font-size:13px}th,td{padding:4px 10px;text-align:right;white-space:nowrap}\n")
                .append("th{background:#f9fafb;border-bottom:1px solid #d1d5db;font-weight:600}td:first-child,th:first-child{text-align:left}\n")
                .append("th.group,td.wide{text-align:center}th.group{border-bottom:2px solid #9ca3af}\n")
                .append("tr.sep td{border-top:1px solid #e5e7eb}td.on{background:" + ON_ROW + "}td.off{background:" + OFF_ROW + "}\n")
                .append("td.faster{color:#15803d;font-weight:600}td.slower{color:#b91c1c;font-weight:600}\n")
                .append(".legend span{display:inline-block;margin-right:16px;font-size:13px}\n")
                .append(".swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;vertical-align:-1px}\n")
                .append("svg{display:block;margin-top:6px}svg text{font-size:12px;fill:#374151}\n")
                .append("</style>\n</head>\n<body>\n<h1>Headstart: how long pods and nodes take to start</h1>\n")
                .append("<div class=\"source\">from ").append(escape(source)).append(" · ")
                .append(report.on().count() + report.off().count()).append(" Ready pods, ")
                .append(report.warmPool().nodes().size() + report.cold().nodes().size()).append(" nodes</div>\n");
        headline(html, report);
        podTable(html, report);
        boostTable(html, report);
        nodeTable(html, report);
        html.append("<h2>The slowest pods, with Headstart and without</h2>\n");
        legend(html, List.of("scheduling", "initialization", "startup"), "with Headstart", "without");
        List<Row> podRows = new ArrayList<>();
        podRows.addAll(podRows(report.slowestPods(true, slowest), "with Headstart", report.on().count()));
        podRows.addAll(podRows(report.slowestPods(false, slowest), "without Headstart", report.off().count()));
        waterfall(html, podRows, "pods");
        html.append("<h2>The slowest nodes, from a warm pool and cold</h2>\n");
        legend(html, List.of("ready", "imageCache", "warmUp"), "warm pool", "cold");
        List<Row> nodeRows = new ArrayList<>();
        nodeRows.addAll(nodeRows(report.slowestNodes(true, slowest), "from a warm pool", report.warmPool().nodes().size()));
        nodeRows.addAll(nodeRows(report.slowestNodes(false, slowest), "cold", report.cold().nodes().size()));
        waterfall(html, nodeRows, "nodes");
        html.append("</body>\n</html>\n");
        out.print(html);
        out.flush();
    }

    private static void headline(StringBuilder html, StartupReport report) {
        OptionalDouble on = report.on().phases().get(PodPhase.TOTAL).p50();
        OptionalDouble off = report.off().phases().get(PodPhase.TOTAL).p50();
        if (on.isEmpty() || off.isEmpty()) {
            return;
        }
        double saved = off.getAsDouble() - on.getAsDouble();
        html.append("<div class=\"headline\">Half of Headstart's pods were Ready within <b>")
                .append(SecondsText.of(on)).append("</b>, half of the others within <b>").append(SecondsText.of(off))
                .append("</b>: ").append(saved >= 0 ? SecondsText.of(saved) + " faster" : SecondsText.of(-saved) + " slower")
                .append(" at the median.</div>\n");
    }

    private static void podTable(StringBuilder html, StartupReport report) {
        html.append("<h2>Pods by phase</h2>\n<table>\n");
        header(html, "on (Headstart)", "off", "on − off");
        for (PodPhase phase : PodPhase.values()) {
            row(html, phase.label(), report.on().phases().get(phase), report.off().phases().get(phase), false);
        }
        row(html, "image pull", report.on().pullSeconds(), report.off().pullSeconds(), true);
        html.append("<tr><td>image cache hits</td><td class=\"on wide\" colspan=\"5\">").append(StartupTable.cached(report.on()))
                .append("</td><td class=\"off wide\" colspan=\"5\">").append(StartupTable.cached(report.off()))
                .append("</td><td colspan=\"2\"></td></tr>\n</table>\n");
    }

    /** The startup phase of cpu-boosted pods against the others; left out when no Ready pod was boosted. */
    private static void boostTable(StringBuilder html, StartupReport report) {
        StartupReport.BoostSplit boost = report.cpuBoost();
        if (boost.boostedCount() == 0) {
            return;
        }
        html.append("<h2>Startup phase by CPU boost</h2>\n<table>\n");
        header(html, "boosted (" + boost.boostedCount() + " Ready)", "not boosted (" + boost.notBoostedCount() + " Ready)",
                "boosted − not");
        row(html, PodPhase.STARTUP.label(), boost.boosted(), boost.notBoosted(), false);
        html.append("</table>\n");
    }

    private static void nodeTable(StringBuilder html, StartupReport report) {
        html.append("<h2>Nodes by phase</h2>\n<table>\n");
        header(html, "warm pool", "cold", "warm − cold");
        for (NodePhase phase : NodePhase.values()) {
            row(html, phase.label(), report.warmPool().phases().get(phase), report.cold().phases().get(phase), false);
        }
        html.append("</table>\n");
    }

    private static void header(StringBuilder html, String a, String b, String difference) {
        html.append("<tr><th></th><th class=\"group\" colspan=\"5\">").append(escape(a))
                .append("</th><th class=\"group\" colspan=\"5\">").append(escape(b))
                .append("</th><th class=\"group\" colspan=\"2\">").append(escape(difference)).append("</th></tr>\n")
                .append("<tr><th>phase</th>");
        for (int i = 0; i < 2; i++) {
            html.append("<th>n</th><th>p50</th><th>p90</th><th>p99</th><th>max</th>");
        }
        html.append("<th>p50</th><th>p90</th></tr>\n");
    }

    private static void row(StringBuilder html, String name, Summary a, Summary b, boolean separated) {
        html.append(separated ? "<tr class=\"sep\">" : "<tr>").append("<td>").append(escape(name)).append("</td>");
        cells(html, a, "on");
        cells(html, b, "off");
        difference(html, a.p50(), b.p50());
        difference(html, a.p90(), b.p90());
        html.append("</tr>\n");
    }

    private static void cells(StringBuilder html, Summary s, String css) {
        html.append("<td class=\"").append(css).append("\">").append(s.count()).append("</td>");
        for (OptionalDouble figure : List.of(s.p50(), s.p90(), s.p99(), s.max())) {
            html.append("<td class=\"").append(css).append("\">").append(escape(SecondsText.of(figure))).append("</td>");
        }
    }

    private static void difference(StringBuilder html, OptionalDouble a, OptionalDouble b) {
        String css = a.isEmpty() || b.isEmpty() || a.getAsDouble() == b.getAsDouble() ? ""
                : a.getAsDouble() < b.getAsDouble() ? " class=\"faster\"" : " class=\"slower\"";
        html.append("<td").append(css).append(">").append(escape(SecondsText.difference(a, b))).append("</td>");
    }

    private static void legend(StringBuilder html, List<String> phases, String on, String off) {
        html.append("<div class=\"legend\">");
        for (String phase : phases) {
            html.append("<span><i class=\"swatch\" style=\"background:").append(COLOURS.get(phase)).append("\"></i>")
                    .append(escape(phase)).append("</span>");
        }
        html.append("<span><i class=\"swatch\" style=\"background:").append(ON).append("\"></i>")
                .append(escape(on)).append(" (tinted row)</span>")
                .append("<span><i class=\"swatch\" style=\"background:").append(OFF).append("\"></i>")
                .append(escape(off)).append("</span></div>\n");
    }

    /** One bar of a waterfall row: a phase from {@code from} to {@code to} seconds. */
    private record Segment(String phase, double from, double to) {
    }

    /** One row: a badge, a name, the segments; or a heading (no badge, no segments). */
    private record Row(boolean on, String badge, String name, List<Segment> segments) {

        static Row heading(String text) {
            return new Row(false, null, text, List.of());
        }
    }

    private static String heading(String group, int shown, int of) {
        return group + ": " + (shown == of ? "all " + of : "the " + shown + " slowest of " + of);
    }

    private static List<Row> podRows(List<PodStartup> pods, String group, int of) {
        List<Row> rows = new ArrayList<>();
        rows.add(Row.heading(heading(group, pods.size(), of)));
        for (PodStartup pod : pods) {
            // Phases follow one another; a phase left out leaves a gap of unknown length, so later bars
            // are placed from their own ends (Ready is at createdAt + total) when that is known.
            List<Segment> segments = new ArrayList<>();
            double at = 0;
            for (PodPhase phase : List.of(PodPhase.SCHEDULING, PodPhase.INITIALIZATION, PodPhase.STARTUP)) {
                Double seconds = pod.phases().get(phase);
                if (seconds != null) {
                    // never before zero, whatever the clocks said (PodStartup leaves out startup > total)
                    double from = Math.max(0, phase == PodPhase.STARTUP && pod.phases().containsKey(PodPhase.TOTAL)
                            ? pod.phases().get(PodPhase.TOTAL) - seconds : at);
                    segments.add(new Segment(phase.label(), from, from + seconds));
                    at = from + seconds;
                }
            }
            rows.add(new Row(pod.headstart(), pod.headstart() ? "on" : "off", pod.key(), segments));
        }
        return rows;
    }

    private static List<Row> nodeRows(List<NodeStartup> nodes, String group, int of) {
        List<Row> rows = new ArrayList<>();
        rows.add(Row.heading(heading(group, nodes.size(), of)));
        for (NodeStartup node : nodes) {
            // Each node phase runs from creation; drawn one after the other in the order they ended.
            List<Segment> segments = new ArrayList<>();
            double at = 0;
            List<Map.Entry<NodePhase, Double>> ends = new ArrayList<>(node.phases().entrySet());
            ends.sort(Map.Entry.comparingByValue(Comparator.naturalOrder()));
            for (Map.Entry<NodePhase, Double> end : ends) {
                segments.add(new Segment(end.getKey().label(), at, end.getValue()));
                at = end.getValue();
            }
            rows.add(new Row(node.warmPool(), node.warmPool() ? "warm" : "cold", node.name(), segments));
        }
        return rows;
    }

    private static void waterfall(StringBuilder html, List<Row> rows, String what) {
        if (rows.stream().allMatch(r -> r.badge() == null)) {
            html.append("<p>No ").append(what).append(" to show.</p>\n");
            return;
        }
        double max = rows.stream().flatMap(r -> r.segments().stream()).mapToDouble(Segment::to).max().orElse(0);
        double step = step(max);
        double span = Math.max(step, Math.ceil(max / step) * step);
        int chart = WIDTH - LABEL - 70;
        int height = TOP + rows.size() * ROW + 10;
        html.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"startup waterfall of the slowest ").append(what).append("\">\n");
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            int y = TOP + i * ROW;
            html.append("<rect x=\"0\" y=\"").append(y).append("\" width=\"").append(WIDTH).append("\" height=\"")
                    .append(ROW).append("\" fill=\"").append(row.badge() == null ? "#ffffff" : row.on() ? ON_ROW
                            : (i % 2 == 0 ? "#ffffff" : "#fafafa"))
                    .append("\" />\n");
        }
        for (double tick = 0; tick <= span + 1e-9; tick += step) {
            double x = LABEL + chart * tick / span;
            html.append("<line x1=\"").append(fmt(x)).append("\" x2=\"").append(fmt(x)).append("\" y1=\"").append(TOP - 6)
                    .append("\" y2=\"").append(height - 10).append("\" stroke=\"#d1d5db\" stroke-width=\"1\" />\n")
                    .append("<text x=\"").append(fmt(x)).append("\" y=\"").append(TOP - 12)
                    .append("\" text-anchor=\"middle\">").append(escape(tick(tick))).append("</text>\n");
        }
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            int y = TOP + i * ROW;
            if (row.badge() == null) {
                html.append("<text x=\"4\" y=\"").append(y + 17).append("\" style=\"font-size:13px;font-weight:700\">")
                        .append(escape(row.name())).append("</text>\n");
                continue;
            }
            String colour = row.on() ? ON : OFF;
            html.append("<rect x=\"4\" y=\"").append(y + 4).append("\" width=\"40\" height=\"16\" rx=\"8\" fill=\"")
                    .append(row.on() ? colour : "#ffffff").append("\" stroke=\"").append(colour).append("\" />\n")
                    .append("<text x=\"24\" y=\"").append(y + 16).append("\" text-anchor=\"middle\" style=\"fill:")
                    .append(row.on() ? "#ffffff" : colour).append(";font-size:11px;font-weight:600\">")
                    .append(row.badge()).append("</text>\n")
                    .append("<text x=\"52\" y=\"").append(y + 16).append("\">").append(escape(shorten(row.name())))
                    .append("<title>").append(escape(row.name())).append("</title></text>\n");
            double end = 0;
            for (Segment segment : row.segments()) {
                double x = LABEL + chart * segment.from() / span;
                double w = Math.max(1.5, chart * (segment.to() - segment.from()) / span);
                html.append("<rect x=\"").append(fmt(x)).append("\" y=\"").append(y + (ROW - BAR) / 2)
                        .append("\" width=\"").append(fmt(w)).append("\" height=\"").append(BAR).append("\" fill=\"")
                        .append(COLOURS.get(segment.phase())).append("\"><title>").append(escape(row.name())).append(": ")
                        .append(escape(segment.phase())).append(' ').append(escape(SecondsText.of(segment.to() - segment.from())))
                        .append("</title></rect>\n");
                end = Math.max(end, segment.to());
            }
            html.append("<text x=\"").append(fmt(LABEL + chart * end / span + 6)).append("\" y=\"").append(y + 16)
                    .append("\" style=\"font-size:11px;fill:#6b7280\">")
                    .append(row.segments().isEmpty() ? "nothing measured yet" : escape(SecondsText.of(end))).append("</text>\n");
        }
        html.append("</svg>\n");
    }

    /** The smallest step that spans {@code max} in at most 8 ticks. */
    static double step(double max) {
        for (double candidate : STEPS) {
            if (max / candidate <= 8) {
                return candidate;
            }
        }
        for (double days = 2; ; days *= 10) {
            for (double factor : new double[] {1, 2.5, 5}) {
                double candidate = days * factor * 86400;
                if (max / candidate <= 8) {
                    return candidate;
                }
            }
        }
    }

    /** Axis labels: whole minutes, hours and days read shorter ({@code 2m}, {@code 1h}, {@code 5d}). */
    static String tick(double seconds) {
        if (seconds >= 86400 && seconds % 86400 == 0) {
            return (long) (seconds / 86400) + "d";
        }
        if (seconds >= 3600 && seconds % 3600 == 0) {
            return (long) (seconds / 3600) + "h";
        }
        if (seconds >= 60 && seconds % 60 == 0) {
            return (long) (seconds / 60) + "m";
        }
        return SecondsText.of(seconds);
    }

    private static String shorten(String name) {
        return name.length() <= 44 ? name : name.substring(0, 20) + "…" + name.substring(name.length() - 22);
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
