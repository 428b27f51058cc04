package dev.headstart.controller.headroom;

import dev.headstart.config.HeadstartConfig;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The headroom reconciler's view of the configuration, as plain values (tests build it directly). */
public record HeadroomSettings(String namespace, String name, int priority, String image, String cpu,
        String memory, Map<String, String> nodeSelector, List<TaintSpec> tolerations, String paramsConfigMap,
        String paramsKey, String defaultParams, Map<String, String> nodeLabels, TaintSpec warmupTaint,
        Duration debounce, Duration resync, Duration scaleDownStabilization) {

    /** cluster-autoscaler's default {@code --expendable-pods-priority-cutoff}: pods below it never cause scale-up. */
    public static final int EXPENDABLE_CUTOFF = -10;
    /** The label every pod's OS is matched on; the placeholders' security context is Linux-only. */
    public static final String OS_LABEL = "kubernetes.io/os";

    public HeadroomSettings {
        checkPriority(priority);
    }

    /** Without a stabilisation window (tests). */
    public HeadroomSettings(String namespace, String name, int priority, String image, String cpu,
            String memory, Map<String, String> nodeSelector, List<TaintSpec> tolerations, String paramsConfigMap,
            String paramsKey, String defaultParams, Map<String, String> nodeLabels, TaintSpec warmupTaint,
            Duration debounce, Duration resync) {
        this(namespace, name, priority, image, cpu, memory, nodeSelector, tolerations, paramsConfigMap, paramsKey,
                defaultParams, nodeLabels, warmupTaint, debounce, resync, Duration.ZERO);
    }

    public static HeadroomSettings from(HeadstartConfig config) {
        HeadstartConfig.Headroom h = config.headroom();
        return new HeadroomSettings(config.controller().namespace(), h.name(), h.priority(), h.image(), h.cpu(),
                h.memory(), Map.copyOf(h.nodeSelector()),
                h.tolerations().orElse(List.of()).stream().filter(s -> !s.isBlank()).map(TaintSpec::parse).toList(),
                h.paramsConfigMap(), h.paramsKey(), h.defaultParams(),
                NodeCensus.parseSelector(h.nodeLabelSelector().orElse("")),
                TaintSpec.parse(config.warmPool().taint()), h.debounce(), h.resync(), h.scaleDownStabilization());
    }

    /**
     * A placeholder priority must be below 0, so a pod without any class (priority 0) preempts it,
     * and at or above the expendable cutoff, so a pending placeholder still makes the autoscaler add
     * a node (cluster-autoscaler treats pods <em>below</em> the cutoff as expendable).
     */
    public static void checkPriority(int priority) {
        if (priority >= 0 || priority < EXPENDABLE_CUTOFF) {
            throw new IllegalArgumentException("headstart.headroom.priority " + priority + " must be between "
                    + EXPENDABLE_CUTOFF + " and -1: at 0 or above pods without a class no longer preempt placeholders, "
                    + "below " + EXPENDABLE_CUTOFF + " cluster-autoscaler ignores pending placeholders");
        }
    }

    /** The placeholders' node selector: the configured one, on Linux nodes unless it names an OS itself. */
    public Map<String, String> podNodeSelector() {
        Map<String, String> selector = new LinkedHashMap<>(nodeSelector);
        selector.putIfAbsent(OS_LABEL, "linux");
        return selector;
    }

    /** The labels a counted node carries: {@code node-label-selector}, else the placeholders' node selector. */
    public Map<String, String> countLabels() {
        if (nodeLabels.isEmpty()) {
            return podNodeSelector();
        }
        Map<String, String> labels = new LinkedHashMap<>(nodeLabels);
        labels.putIfAbsent(OS_LABEL, podNodeSelector().get(OS_LABEL));
        return labels;
    }

    public NodeCensus census() {
        return new NodeCensus(countLabels(), tolerations.stream().map(TaintSpec::toleration).toList(), warmupTaint);
    }
}
