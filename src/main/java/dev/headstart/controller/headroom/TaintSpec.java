package dev.headstart.controller.headroom;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;

import java.util.Set;

/**
 * A taint written as kubectl writes it: {@code key[=value]:Effect}, or {@code key[=value]} with no
 * effect (then it matches, or tolerates, every effect).
 */
public record TaintSpec(String key, String value, String effect) {

    private static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");

    public static TaintSpec parse(String text) {
        String spec = text == null ? "" : text.trim();
        String effect = null;
        int colon = spec.lastIndexOf(':');
        if (colon >= 0) {
            effect = spec.substring(colon + 1);
            spec = spec.substring(0, colon);
            if (!EFFECTS.contains(effect)) {
                throw new IllegalArgumentException("taint '" + text + "': effect must be one of " + EFFECTS);
            }
        }
        String value = null;
        int equals = spec.indexOf('=');
        if (equals >= 0) {
            value = spec.substring(equals + 1);
            spec = spec.substring(0, equals);
        }
        if (spec.isEmpty()) {
            throw new IllegalArgumentException("taint '" + text + "': key is empty");
        }
        return new TaintSpec(spec, value, effect);
    }

    /** True when the node taint is this one (value and effect compared only when given). */
    public boolean matches(Taint taint) {
        return key.equals(taint.getKey())
                && (value == null || value.equals(taint.getValue() == null ? "" : taint.getValue()))
                && (effect == null || effect.equals(taint.getEffect()));
    }

    /** A toleration of this taint. */
    public Toleration toleration() {
        return new TolerationBuilder()
                .withKey(key)
                .withOperator(value == null ? "Exists" : "Equal")
                .withValue(value)
                .withEffect(effect)
                .build();
    }
}
