package dev.headstart.controller.warmpool;

/** An Auto Scaling call that failed after the SDK's own retries, classified for metrics and logs. */
public class AutoScalingCallException extends RuntimeException {

    public enum Kind {
        /** Throttling / rate exceeded: try again on a later pass. */
        THROTTLED,
        /** The IAM policy does not allow the call: an operator must fix it. */
        ACCESS_DENIED,
        /** Anything else (network, validation, service errors). */
        FAILED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Kind kind;

    public AutoScalingCallException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
