package dev.headstart.imagecache;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the RuntimeClass admission plugin makes of a pod that names a RuntimeClass
 * ({@code plugin/pkg/admission/runtimeclass/admission.go}): the class's {@code overhead.podFixed}
 * becomes the pod's {@code overhead} ({@code setOverhead}; a pod that already states another one is
 * rejected), its {@code scheduling.nodeSelector} is merged into the pod's (a key the pod sets to
 * another value rejects the pod) and its {@code scheduling.tolerations} are appended
 * ({@code setScheduling}); a class that does not exist rejects the pod. A rejected template starts
 * no pod anywhere: nothing to cache.
 */
public final class RuntimeClassScheduling {

    /** The spec as admitted, or why no pod of it is admitted. */
    public record Result(PodSpec spec, String rejection) {
        public boolean admitted() {
            return rejection == null;
        }
    }

    private RuntimeClassScheduling() {
    }

    public static Result apply(PodSpec spec, Map<String, RuntimeClass> classes) {
        String name = spec.getRuntimeClassName();
        if (name == null || name.isBlank()) {
            return new Result(spec, null);
        }
        RuntimeClass runtimeClass = classes.get(name);
        if (runtimeClass == null) {
            return new Result(spec, "RuntimeClass " + name + " not found (the pod is rejected at admission)");
        }
        PodSpecBuilder merged = new PodSpecBuilder(spec);
        Map<String, Quantity> fixed = runtimeClass.getOverhead() == null ? null : runtimeClass.getOverhead().getPodFixed();
        if (fixed != null && !fixed.isEmpty()) {
            if (spec.getOverhead() != null && !spec.getOverhead().isEmpty() && !spec.getOverhead().equals(fixed)) {
                return new Result(spec, "overhead differs from RuntimeClass " + name + "'s (the pod is rejected at admission)");
            }
            merged.withOverhead(new TreeMap<>(fixed));
        }
        if (runtimeClass.getScheduling() != null) {
            Map<String, String> selector = new TreeMap<>(spec.getNodeSelector() == null ? Map.of() : spec.getNodeSelector());
            Map<String, String> classSelector = runtimeClass.getScheduling().getNodeSelector();
            if (classSelector != null) {
                for (Map.Entry<String, String> entry : classSelector.entrySet()) {
                    String own = selector.get(entry.getKey());
                    if (own != null && !own.equals(entry.getValue())) {
                        return new Result(spec, "nodeSelector " + entry.getKey() + "=" + own + " conflicts with RuntimeClass "
                                + name + "'s " + entry.getValue() + " (the pod is rejected at admission)");
                    }
                    selector.put(entry.getKey(), entry.getValue());
                }
                merged.withNodeSelector(selector);
            }
            List<Toleration> classTolerations = runtimeClass.getScheduling().getTolerations();
            if (classTolerations != null && !classTolerations.isEmpty()) {
                List<Toleration> tolerations = new ArrayList<>(spec.getTolerations() == null ? List.of() : spec.getTolerations());
                classTolerations.stream().filter(t -> !tolerations.contains(t)).forEach(tolerations::add);
                merged.withTolerations(tolerations);
            }
        }
        return new Result(merged.build(), null);
    }
}
