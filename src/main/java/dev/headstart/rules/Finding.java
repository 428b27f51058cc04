package dev.headstart.rules;

/** One thing a rule found missing, and how to fix it by hand. */
public record Finding(String rule, String message, String fix) {

    /** The one-line form used in admission warnings: {@code headstart: rule: message}. */
    public String warning() {
        return "headstart: " + rule + ": " + message;
    }
}
