package dev.headstart.telemetry;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.ArrayList;
import java.util.List;

/** Pods, nodes and events written as the API shows them, for the phase tests. */
final class Objects {

    private static final YAMLMapper YAML = new YAMLMapper();

    private Objects() {
    }

    static <T> T read(String yaml, Class<T> type) {
        try {
            return YAML.readValue(yaml, type);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * A pod created at 12:00:00; each condition given as {@code Type=Status@hh:mm:ss}; restarts of
     * its one container.
     */
    static Pod pod(String name, boolean headstart, int restarts, String... conditions) {
        StringBuilder yaml = new StringBuilder("metadata:\n  name: " + name + "\n  namespace: shop\n  uid: uid-" + name
                + "\n  creationTimestamp: \"2026-11-21T12:00:00Z\"\n");
        if (headstart) {
            yaml.append("  annotations:\n    headstart.dev/applied: priority-class,startup-probe\n");
        }
        yaml.append("status:\n  containerStatuses:\n  - name: app\n    restartCount: ").append(restarts).append('\n');
        yaml.append("  conditions:\n");
        for (String condition : conditions) {
            String[] typeRest = condition.split("=", 2);
            String[] statusAt = typeRest[1].split("@", 2);
            yaml.append("  - type: ").append(typeRest[0]).append("\n    status: \"").append(statusAt[0]).append("\"\n");
            if (statusAt.length > 1) {
                yaml.append("    lastTransitionTime: \"").append(time(statusAt[1])).append("\"\n");
            }
        }
        return read(yaml.toString(), Pod.class);
    }

    /** The pod with the cpu-boost rule's record annotation, as the rule leaves it (and the revert keeps it). */
    static Pod boosted(Pod pod) {
        pod.getMetadata().getAnnotations().put(dev.headstart.rules.CpuBoostRecord.ANNOTATION, "app=500m");
        return pod;
    }

    static String time(String clock) {
        return clock.contains("T") ? clock : "2026-11-21T" + clock + "Z";
    }

    /** A pod Ready at each of the offsets: scheduled +1 s, initialized +2 s, Ready at +s. */
    static Pod readyPod(String name, boolean headstart, int readyAfterSeconds) {
        return pod(name, headstart, 0, "PodScheduled=True@12:00:01", "Initialized=True@12:00:02",
                "Ready=True@" + String.format("12:%02d:%02d", readyAfterSeconds / 60, readyAfterSeconds % 60));
    }

    static Node node(String name, String created, String readyAt, String... annotations) {
        StringBuilder yaml = new StringBuilder("metadata:\n  name: " + name + "\n  uid: uid-" + name
                + "\n  creationTimestamp: \"" + time(created) + "\"\n");
        if (annotations.length > 0) {
            yaml.append("  annotations:\n");
            for (String annotation : annotations) {
                String[] kv = annotation.split("=", 2);
                yaml.append("    ").append(kv[0]).append(": \"").append(kv[1].contains(":") && !kv[1].contains("T")
                        ? time(kv[1]) : kv[1]).append("\"\n");
            }
        }
        yaml.append("status:\n  conditions:\n  - type: Ready\n");
        yaml.append(readyAt == null ? "    status: \"False\"\n"
                : "    status: \"True\"\n    lastTransitionTime: \"" + time(readyAt) + "\"\n");
        return read(yaml.toString(), Node.class);
    }

    /** A {@code Pulled} event about pod {@code shop/<pod>} (uid given or null). */
    static Event pulled(String pod, String uid, String message) {
        return event("Pulled", "Pod", pod, uid, message);
    }

    static Event event(String reason, String kind, String name, String uid, String message) {
        Event event = read("metadata:\n  name: " + name + ".1\n  namespace: shop\nreason: " + reason
                + "\ninvolvedObject:\n  kind: " + kind + "\n  namespace: shop\n  name: " + name + "\n"
                + (uid == null ? "" : "  uid: " + uid + "\n"), Event.class);
        event.setMessage(message);
        return event;
    }

    static List<Double> range(int from, int to) {
        List<Double> values = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            values.add((double) i);
        }
        return values;
    }
}
