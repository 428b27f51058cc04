package dev.headstart.admission;

import dev.headstart.text.OneLine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Admission warnings as kube-apiserver keeps them. Its warning recorder
 * ({@code staging/src/k8s.io/apiserver/pkg/endpoints/filters/warning.go}) drops duplicates, counts
 * the {@code Warning} headers it writes ({@code 299 - "text"}, quotes and backslashes escaped), and
 * once they pass 4,096 characters it rewrites every warning cut to 256 characters and drops the ones
 * after; {@code net.NewWarningHeader} refuses a warning with a control character or invalid UTF-8
 * whole. So every answer's warnings are made to fit before they leave: each one printable and on one
 * line ({@link OneLine}), at most {@value #MAX_CHARS_EACH} characters, duplicates dropped, kept in
 * the caller's order (most important first) while their headers fit in {@value #MAX_CHARS_TOTAL}
 * bytes (so the API server never starts cutting), and the rest counted in one last line.
 */
public final class AdmissionWarnings {

    /** kube-apiserver's budget for the Warning headers of one request (it counts bytes of the header). */
    public static final int MAX_CHARS_TOTAL = 4096;
    /** What kube-apiserver cuts each warning to once the budget is passed. */
    public static final int MAX_CHARS_EACH = 256;

    private AdmissionWarnings() {
    }

    /** The warnings that fit, in order, with one summary line for the ones that did not. */
    public static List<String> fit(List<String> warnings) {
        if (warnings == null || warnings.isEmpty()) {
            return List.of();
        }
        LinkedHashSet<String> unique = new LinkedHashSet<>();
        for (String warning : warnings) {
            // OneLine adds "…" after the cut: 255 + 1 stays within 256 code points.
            String line = OneLine.of(warning, MAX_CHARS_EACH - 1);
            if (!line.isEmpty()) {
                unique.add(line);
            }
        }
        List<String> kept = new ArrayList<>(unique.size());
        int used = 0;
        int index = 0;
        for (String line : unique) {
            int length = headerLength(line);
            int remaining = unique.size() - index - 1;
            // Keep room for the summary line unless this is the last warning.
            int reserve = remaining == 0 ? 0 : headerLength(summary(remaining + 1));
            if (used + length + reserve > MAX_CHARS_TOTAL) {
                break;
            }
            kept.add(line);
            used += length;
            index++;
        }
        if (kept.size() < unique.size()) {
            kept.add(summary(unique.size() - kept.size()));
        }
        return List.copyOf(kept);
    }

    static String summary(int left) {
        return "headstart: " + left + (left == 1 ? " more warning" : " more warnings")
                + " not shown (kube-apiserver keeps 4,096 characters of warnings); "
                + "the PolicyReport and `headstart audit` list them all";
    }

    /**
     * What the warning adds to kube-apiserver's count: the length in bytes of its header value
     * {@code 299 - "text"} (util/net/http.go NewWarningHeader: UTF-8, {@code "} and {@code \} escaped).
     */
    static int headerLength(String text) {
        int escapes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                escapes++;
            }
        }
        return "299 - \"\"".length() + text.getBytes(StandardCharsets.UTF_8).length + escapes;
    }
}
