package dev.headstart.rules;

import java.util.ArrayList;
import java.util.List;

/** Admission warnings collected while rules run; short, one line each, prefixed with the rule. */
public final class Warnings {

    private final List<String> messages = new ArrayList<>();

    public Warnings() {
    }

    /** Starting with messages already worded (by the engine, not a rule). */
    Warnings(List<String> first) {
        messages.addAll(first);
    }

    public void add(String rule, String message) {
        messages.add("headstart: " + rule + ": " + message);
    }

    public List<String> messages() {
        return List.copyOf(messages);
    }

    public boolean isEmpty() {
        return messages.isEmpty();
    }
}
