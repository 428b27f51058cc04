package dev.headstart.imagecache;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** What placement reads of a node: its name (for {@code matchFields}), labels and taints. */
public record NodeFacts(String name, Map<String, String> labels, List<Taint> taints) {

    public static final String OS_LABEL = "kubernetes.io/os";
    public static final String ARCH_LABEL = "kubernetes.io/arch";

    public NodeFacts {
        name = name == null ? "" : name;
        TreeMap<String, String> sorted = new TreeMap<>();
        if (labels != null) {
            labels.forEach((k, v) -> {
                if (k != null) {
                    sorted.put(k, v == null ? "" : v);
                }
            });
        }
        labels = Collections.unmodifiableMap(sorted);
        taints = taints == null ? List.of() : taints.stream().filter(Objects::nonNull).toList();
    }

    public static NodeFacts of(Node node) {
        String name = node.getMetadata() == null ? null : node.getMetadata().getName();
        Map<String, String> labels = node.getMetadata() == null ? null : node.getMetadata().getLabels();
        List<Taint> taints = node.getSpec() == null ? null : node.getSpec().getTaints();
        return new NodeFacts(name, labels, taints);
    }

    /** The {@code kubernetes.io/os} label, empty when the kubelet has not set it. */
    public String os() {
        return labels.getOrDefault(OS_LABEL, "");
    }

    public String arch() {
        return labels.getOrDefault(ARCH_LABEL, "");
    }
}
