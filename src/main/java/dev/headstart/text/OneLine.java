package dev.headstart.text;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Text that must fit on one line of a log, a report, an admission warning or stderr: an exception,
 * or a value quoted from an object. Line breaks (CR, LF, NEL, U+2028/9), tabs and other control
 * characters (an escape sequence, a NUL) become one space, so a message cannot forge a second log
 * line; the result is bounded, with "…" where it was cut. An exception's line is never empty
 * nor "null" (a missing message gives the exception's type).
 *
 * <p>The result is also printable everywhere it goes: a half of a surrogate pair (not valid UTF-8
 * once encoded) becomes U+FFFD, and the bidirectional overrides and isolates (U+202A-U+202E,
 * U+2066-U+2069, which can make a quoted value read backwards) become a space. kube-apiserver's
 * {@code net.NewWarningHeader} refuses a whole warning that holds a control character or invalid
 * UTF-8 ({@code staging/src/k8s.io/apimachinery/pkg/util/net/http.go}), so admission warnings and
 * report messages all go through here.
 */
public final class OneLine {

    /** The most an exception's line holds: a fabric8 failure's URL and the API server's message fit. */
    public static final int MAX_ERROR_CHARS = 500;

    /** Whitespace, C0 and C1 controls, and the Unicode line and paragraph separators. */
    private static final Pattern BREAKS = Pattern.compile(
            "[\\s\\x00-\\x1F\\x7F-\\x9F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069]+");

    /** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
    private static final Pattern LONE_SURROGATE = Pattern.compile(
            "[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]");

    /** Cause chains longer than this are cut (a chain that loops is followed once). */
    private static final int MAX_CAUSES = 64;

    private OneLine() {
    }

    /**
     * An exception as one line: its message (its type when it has none), and when the deepest cause
     * says something the message does not, that cause's type and message in parentheses: a client
     * error's "An error has occurred." says little without "(ConnectException: Connection refused)".
     */
    public static String of(Throwable error) {
        if (error == null) {
            return "unknown error";
        }
        String line = messageOrType(error);
        Throwable root = rootCause(error);
        if (root != error) {
            String cause = message(root);
            String said = cause == null ? typeName(root) : cause;
            if (!line.contains(said)) {
                line += " (" + typeAndMessage(root) + ")";
            }
        }
        return bounded(line, MAX_ERROR_CHARS);
    }

    /**
     * The deepest cause alone, as its type and message ({@code ConnectException: Connection refused}):
     * for a line that already says what failed and only needs why.
     */
    public static String ofRootCause(Throwable error) {
        return error == null ? "unknown error" : bounded(typeAndMessage(rootCause(error)), MAX_ERROR_CHARS);
    }

    /** Any text (a value quoted from an object) on one line, at most {@code maxChars} long plus "…". */
    public static String of(String text, int maxChars) {
        return bounded(text == null ? "" : flat(text), maxChars);
    }

    private static Throwable rootCause(Throwable error) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Throwable root = error;
        while (root.getCause() != null && seen.add(root) && seen.size() < MAX_CAUSES) {
            root = root.getCause();
        }
        return root;
    }

    private static String messageOrType(Throwable error) {
        String message = message(error);
        return message == null ? typeName(error) : message;
    }

    private static String typeAndMessage(Throwable error) {
        String message = message(error);
        return message == null ? typeName(error) : typeName(error) + ": " + message;
    }

    /** The flattened message, or null when there is none worth saying. */
    private static String message(Throwable error) {
        String message = error.getMessage();
        if (message == null) {
            return null;
        }
        String flat = flat(message);
        return flat.isEmpty() || flat.equals("null") ? null : flat;
    }

    private static String typeName(Throwable error) {
        String simple = error.getClass().getSimpleName();
        return simple.isEmpty() ? error.getClass().getName() : simple;
    }

    private static String flat(String text) {
        String spaced = BREAKS.matcher(text).replaceAll(" ").strip();
        return LONE_SURROGATE.matcher(spaced).replaceAll("\uFFFD");
    }

    private static String bounded(String text, int maxChars) {
        if (text.length() <= maxChars) {
            return text;
        }
        int cut = Math.max(0, maxChars);
        if (cut > 0 && Character.isHighSurrogate(text.charAt(cut - 1))) {
            cut--; // never half a character
        }
        return text.substring(0, cut) + "…";
    }
}
