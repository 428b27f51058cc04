package dev.headstart.telemetry;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectReference;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One image pull read from a kubelet {@code Pulled} event of a pod. The kubelet writes
 * (pkg/kubelet/images/image_manager.go) either
 * {@code Successfully pulled image "…" in 3.21s (3.21s including waiting). Image size: … bytes.}
 * (older kubelets: {@code … in 3.21s} without the parenthesis, the oldest no duration at all) or
 * {@code Container image "…" already present on machine}, a cache hit that took no time.
 *
 * @param seconds the first figure of the message; empty when the kubelet printed none
 */
public record ImagePull(boolean cached, OptionalDouble seconds) {

    public static final String REASON = "Pulled";

    private static final Pattern PULLED = Pattern.compile(
            "^Successfully pulled image \"[^\"]*\"(?: in ((?:[0-9.]+(?:ns|us|µs|μs|ms|s|m|h))+))?");
    private static final Pattern PRESENT = Pattern.compile("^Container image \"[^\"]*\" already present on machine");

    /** The pull a {@code Pulled} event of a pod tells of; empty for any other event. */
    public static Optional<ImagePull> of(Event event) {
        ObjectReference about = event.getInvolvedObject();
        if (!REASON.equals(event.getReason()) || about == null || !"Pod".equals(about.getKind())) {
            return Optional.empty();
        }
        return parse(event.getMessage());
    }

    /**
     * The same for an {@code events.k8s.io/v1} Event: the same object the core API serves, its
     * fields renamed ({@code regarding} for {@code involvedObject}, {@code note} for {@code message}).
     */
    public static Optional<ImagePull> of(io.fabric8.kubernetes.api.model.events.v1.Event event) {
        ObjectReference about = event.getRegarding();
        if (!REASON.equals(event.getReason()) || about == null || !"Pod".equals(about.getKind())) {
            return Optional.empty();
        }
        return parse(event.getNote());
    }

    /** The pull a {@code Pulled} message tells of; empty when it is not one of the kubelet's. */
    public static Optional<ImagePull> parse(String message) {
        if (message == null) {
            return Optional.empty();
        }
        if (PRESENT.matcher(message).find()) {
            return Optional.of(new ImagePull(true, OptionalDouble.of(0)));
        }
        Matcher pulled = PULLED.matcher(message);
        if (!pulled.find()) {
            return Optional.empty();
        }
        if (pulled.group(1) == null) {
            return Optional.of(new ImagePull(false, OptionalDouble.empty()));
        }
        return Optional.of(GoDuration.seconds(pulled.group(1))
                .map(s -> new ImagePull(false, OptionalDouble.of(s)))
                .orElse(new ImagePull(false, OptionalDouble.empty())));
    }
}
