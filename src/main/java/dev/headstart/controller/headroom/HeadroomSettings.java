package dev.headstart.controller.headroom;

import dev.headstart.config.HeadstartConfig;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The headroom reconciler's view of the configuration, as plain values (tests build it directly). */
public record HeadroomSettings(String namespace, String name, int priority, String image, String cpu,
        String memory, Map<String, String> nodeSelector, List<TaintSpec> tolerations, String paramsConfigMap,
        String paramsKey, String defaultParams, Map<String, String> nodeLabels, TaintSpec warmupTaint,
        Duration debounce, Duration resync) {

    public static HeadroomSettings from(HeadstartConfig config) {
        HeadstartConfig.Headroom h = config.headroom();
        return new HeadroomSettings(config.controller().namespace(), h.name(), h.priority(), h.image(), h.cpu(),
                h.memory(), Map.copyOf(h.nodeSelector()),
                h.tolerations().orElse(List.of()).stream().filter(s -> !s.isBlank()).map(TaintSpec::parse).toList(),
                h.paramsConfigMap(), h.paramsKey(), h.defaultParams(),
                NodeCensus.parseSelector(h.nodeLabelSelector().orElse("")),
                TaintSpec.parse(config.warmPool().taint()), h.debounce(), h.resync());
    }

    public NodeCensus census() {
        return new NodeCensus(nodeLabels, warmupTaint);
    }
}
