package dev.headstart.cli;

/** An exception as one line for stderr: its message and its root cause's (a client error says little without it). */
final class ErrorLine {

    private ErrorLine() {
    }

    static String of(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (root != e) {
            message += " (" + (root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage()) + ")";
        }
        return message.replaceAll("\\s+", " ");
    }
}
