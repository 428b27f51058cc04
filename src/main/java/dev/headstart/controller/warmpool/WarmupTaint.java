package dev.headstart.controller.warmpool;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;

import java.util.List;

/**
 * The taint warm-pool nodes register with ({@code key[=value]:Effect}, as kubelet's
 * {@code --register-with-taints} takes it). A node carries it until it leaves the pool.
 */
public record WarmupTaint(String key, String value, String effect) {

    public static WarmupTaint parse(String text) {
        String spec = text == null ? "" : text.trim();
        int colon = spec.lastIndexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("warm-up taint must look like key=value:Effect, got '" + spec + "'");
        }
        String effect = spec.substring(colon + 1);
        if (!List.of("NoSchedule", "PreferNoSchedule", "NoExecute").contains(effect)) {
            throw new IllegalArgumentException("warm-up taint effect must be NoSchedule, PreferNoSchedule or NoExecute, got '"
                    + effect + "'");
        }
        String keyValue = spec.substring(0, colon);
        int eq = keyValue.indexOf('=');
        String key = eq < 0 ? keyValue : keyValue.substring(0, eq);
        String value = eq < 0 ? "" : keyValue.substring(eq + 1);
        if (key.isBlank()) {
            throw new IllegalArgumentException("warm-up taint has no key: '" + spec + "'");
        }
        return new WarmupTaint(key, value, effect);
    }

    /** Key and effect identify a taint on a node; the value is not part of its identity. */
    public boolean matches(Taint taint) {
        return key.equals(taint.getKey()) && effect.equals(taint.getEffect());
    }

    public boolean isOn(Node node) {
        return node.getSpec() != null && node.getSpec().getTaints() != null
                && node.getSpec().getTaints().stream().anyMatch(this::matches);
    }

    public Toleration toleration() {
        return value.isEmpty()
                ? new TolerationBuilder().withKey(key).withOperator("Exists").withEffect(effect).build()
                : new TolerationBuilder().withKey(key).withOperator("Equal").withValue(value).withEffect(effect).build();
    }

    @Override
    public String toString() {
        return key + (value.isEmpty() ? "" : "=" + value) + ":" + effect;
    }
}
