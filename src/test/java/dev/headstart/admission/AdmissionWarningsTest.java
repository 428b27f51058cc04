package dev.headstart.admission;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 26, case 6: Headstart's warnings arrive as sent. {@link ApiServerWarnings} models what
 * kube-apiserver does with them (endpoints/filters/warning.go, util/net/http.go); the answers the
 * webhook builds are run through it and must come out unchanged.
 */
class AdmissionWarningsTest {

    /**
     * kube-apiserver's warning recorder (endpoints/filters/warning.go): duplicates dropped; the
     * written header bytes are counted; the first header that would pass 4,096 switches it to
     * truncating: every warning so far is rewritten cut to 256 runes, and once 4,096 is reached
     * nothing more is written. NewWarningHeader refuses control characters and invalid UTF-8.
     */
    static final class ApiServerWarnings {
        final List<String> headers = new ArrayList<>();
        private final List<String> ordered = new ArrayList<>();
        private final Set<String> seen = new LinkedHashSet<>();
        private boolean truncating;
        private int written;

        static List<String> deliver(List<String> sent) {
            ApiServerWarnings recorder = new ApiServerWarnings();
            sent.forEach(recorder::add);
            return recorder.headers.stream().map(h -> h.substring(7, h.length() - 1)
                    .replace("\\\"", "\"").replace("\\\\", "\\")).toList();
        }

        void add(String text) {
            if (text.isEmpty() || !seen.add(text)) {
                return;
            }
            ordered.add(text);
            if (truncating && written >= 4096) {
                return;
            }
            if (truncating) {
                text = cut(text);
            }
            if (!headerAccepts(text)) {
                return;
            }
            String header = header(text);
            if (written + bytes(header) <= 4096 || truncating) {
                written += bytes(header);
                headers.add(header);
                return;
            }
            truncating = true;
            written = 0;
            headers.clear();
            for (String w : ordered) {
                String t = cut(w);
                if (headerAccepts(t)) {
                    written += bytes(header(t));
                    headers.add(header(t));
                }
            }
        }

        static String header(String text) {
            return "299 - \"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }

        static int bytes(String header) {
            return header.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }

        static String cut(String text) {
            return runes(text) <= 256 ? text : text.substring(0, text.offsetByCodePoints(0, 256));
        }

        static int runes(String text) {
            return text.codePointCount(0, text.length());
        }

        /** net.NewWarningHeader: valid UTF-8 and no unicode.IsControl rune. */
        static boolean headerAccepts(String text) {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (Character.isISOControl(c)) {
                    return false;
                }
                if (Character.isHighSurrogate(c) && (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1)))) {
                    return false;
                }
                if (Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)))) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The 40-container pod: one error, then 80 findings (as main ordered them: error last). */
    private static List<String> fortyContainers(boolean errorFirst) {
        List<String> warnings = new ArrayList<>();
        String error = "headstart: kube-proxy-hostname: rule failed and was skipped";
        if (errorFirst) {
            warnings.add(error);
        }
        for (int i = 0; i < 40; i++) {
            warnings.add("headstart: startup-probe: container worker-" + i
                    + " has a readinessProbe but no startupProbe; it is marked ready only after initialDelaySeconds");
            warnings.add("headstart: pull-policy: container worker-" + i
                    + " pulls registry.example.com/team/worker:1.2." + i + " with imagePullPolicy Always");
        }
        if (!errorFirst) {
            warnings.add(error);
        }
        return warnings;
    }

    @Test
    void whatMainSentIsCutAndDroppedByTheApiServer() {
        List<String> raw = fortyContainers(false);
        List<String> delivered = ApiServerWarnings.deliver(raw);
        // The model shows the defect: the rule error, sent last, is lost; so are dozens of findings.
        assertThat(delivered).hasSizeLessThan(raw.size())
                .noneMatch(w -> w.contains("rule failed and was skipped"));
    }

    @Test
    void aFortyContainerPodsWarningsArriveWholeWithOneSummaryLine() {
        List<String> sent = AdmissionResponse.allow("u", fortyContainers(true)).warnings();

        assertThat(ApiServerWarnings.deliver(sent)).as("nothing cut, nothing dropped").isEqualTo(sent);
        assertThat(sent.stream().mapToInt(w -> ApiServerWarnings.bytes(ApiServerWarnings.header(w))).sum())
                .isLessThanOrEqualTo(4096);
        assertThat(sent).allSatisfy(w -> assertThat(ApiServerWarnings.runes(w)).isLessThanOrEqualTo(256));
        assertThat(sent.get(0)).isEqualTo("headstart: kube-proxy-hostname: rule failed and was skipped");
        int shown = sent.size() - 1;
        assertThat(sent.get(shown)).isEqualTo(AdmissionWarnings.summary(81 - shown))
                .startsWith("headstart: " + (81 - shown) + " more warnings not shown");
        assertThat(sent.subList(0, shown)).isEqualTo(fortyContainers(true).subList(0, shown));
    }

    @Test
    void aWarningWithAControlCharacterOrHalfASurrogateIsRepairedNotRefused() {
        String image = "registry.example.com/app:1.0\u001b[31m\r\nX-Injected: 1 \ud800 \u202eevil";
        List<String> sent = AdmissionWarnings.fit(List.of("headstart: pull-policy: container web pulls " + image));

        assertThat(sent).hasSize(1);
        assertThat(ApiServerWarnings.headerAccepts(sent.get(0))).isTrue();
        assertThat(ApiServerWarnings.deliver(sent)).isEqualTo(sent);
        assertThat(sent.get(0)).doesNotContain("\u001b", "\r", "\n", "\u202e").contains("\ufffd")
                .contains("[31m X-Injected: 1");
        assertThat(ApiServerWarnings.headerAccepts("a\u001bb")).as("the model refuses what the API server refuses").isFalse();
    }

    @Test
    void aLongWarningIsCutByHeadstartWithAMarkNotByTheApiServer() {
        String longOne = "headstart: startup-probe: " + "x".repeat(600);
        List<String> sent = AdmissionWarnings.fit(List.of(longOne, longOne, "second"));
        assertThat(sent).hasSize(2);
        assertThat(ApiServerWarnings.runes(sent.get(0))).isEqualTo(256);
        assertThat(sent.get(0)).endsWith("…");
        assertThat(sent.get(1)).isEqualTo("second");
    }

    @Test
    void fewShortWarningsPassUnchanged() {
        List<String> sent = AdmissionWarnings.fit(List.of("a", "b"));
        assertThat(sent).containsExactly("a", "b");
        assertThat(AdmissionWarnings.fit(null)).isEmpty();
    }
}
