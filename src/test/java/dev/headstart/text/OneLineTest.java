package dev.headstart.text;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

/** The one way an exception (or a quoted value) becomes one line: the table of cases. */
class OneLineTest {

    /** An exception whose cause can be set after construction, to build a loop. */
    static final class Looping extends RuntimeException {
        Looping(String message) {
            super(message);
        }
    }

    private static void row(Throwable error, String expected) {
        assertThat(OneLine.of(error)).as("%s", error).isEqualTo(expected);
    }

    @Test
    void theMessageOrTheTypeNeverNull() {
        row(new IllegalStateException("boom"), "boom");
        row(new IllegalStateException(), "IllegalStateException");
        row(new IllegalStateException((String) null), "IllegalStateException");
        row(new IllegalStateException("   "), "IllegalStateException");
        row(new IllegalStateException("null"), "IllegalStateException");
        row(new RuntimeException() { }, "dev.headstart.text.OneLineTest$1");
        assertThat(OneLine.of((Throwable) null)).isEqualTo("unknown error");
    }

    @Test
    void everyLineBreakTabAndControlCharacterBecomesOneSpace() {
        row(new IllegalArgumentException("first\r\nsecond\n\n\tthird"), "first second third");
        row(new IllegalArgumentException("a\u0085b\u2028c\u2029d"), "a b c d");
        row(new IllegalArgumentException("red \u001B[31mtext\u0000 end"), "red [31mtext end");
        row(new IllegalArgumentException("\n  padded  \n"), "padded");
    }

    @Test
    void theRootCauseIsAddedWhenItSaysSomethingTheMessageDoesNot() {
        row(new IllegalStateException("An error has occurred.", new ConnectException("Connection refused")),
                "An error has occurred. (ConnectException: Connection refused)");
        // A host name alone says nothing: the type tells what went wrong with it.
        row(new RuntimeException("Operation failed.", new IOException("io", new UnknownHostException("api.example"))),
                "Operation failed. (UnknownHostException: api.example)");
        row(new IllegalStateException("wrapper", new NullPointerException()), "wrapper (NullPointerException)");
        row(new IllegalStateException(null, new ConnectException("Connection refused")),
                "IllegalStateException (ConnectException: Connection refused)");
        // Wrappers that repeat the cause (new X(cause), CompletionException) are not said twice.
        row(new CompletionException(new ConnectException("Connection refused")), "java.net.ConnectException: Connection refused");
        row(new UncheckedIOException(new IOException("disk full")), "java.io.IOException: disk full");
        row(new IllegalStateException("read failed: disk full", new IOException("disk\nfull")), "read failed: disk full");
    }

    @Test
    void aCauseChainThatLoopsEnds() {
        Looping a = new Looping("a");
        Looping b = new Looping("b");
        a.initCause(b);
        b.initCause(a);
        assertThat(OneLine.of(a)).isEqualTo("a");
    }

    @Test
    void longMessagesAreCutWithAnEllipsis() {
        String line = OneLine.of(new IllegalStateException("x".repeat(10_000)));
        assertThat(line).hasSize(OneLine.MAX_ERROR_CHARS + 1).endsWith("x…");
        String cause = OneLine.of(new IllegalStateException("short", new IllegalStateException("y\n".repeat(5_000))));
        assertThat(cause).hasSize(OneLine.MAX_ERROR_CHARS + 1).startsWith("short (IllegalStateException: y y").endsWith("…");
        // Never half a surrogate pair.
        String emoji = OneLine.of("a" + "\uD83D\uDE00".repeat(10), 2);
        assertThat(emoji).isEqualTo("a…");
    }

    @Test
    void theRootCauseAloneForLinesThatAlreadySayWhatFailed() {
        assertThat(OneLine.ofRootCause(new IllegalStateException("list failed", new ConnectException("Connection\nrefused"))))
                .isEqualTo("ConnectException: Connection refused");
        assertThat(OneLine.ofRootCause(new IllegalStateException())).isEqualTo("IllegalStateException");
    }

    @Test
    void quotedValuesAreFlattenedAndCutAtTheirOwnBound() {
        assertThat(OneLine.of("high\npriority", 80)).isEqualTo("high priority");
        assertThat(OneLine.of("v".repeat(100), 80)).isEqualTo("v".repeat(80) + "…");
        assertThat(OneLine.of((String) null, 80)).isEmpty();
    }
}
