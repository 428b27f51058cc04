package dev.headstart.controller.imagecache;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What one namespace's image cache must hold, computed from its workloads' pod specs: the images
 * (deduplicated, sorted so that the DaemonSet only changes when the set does), the pull secrets the
 * pulls need, and the NoSchedule taints the workloads tolerate (so the cache reaches their nodes).
 */
public record ImageCachePlan(List<String> images, List<String> pullSecrets, List<Toleration> tolerations) {

    private static final Comparator<Toleration> TOLERATION_ORDER = Comparator
            .comparing((Toleration t) -> Objects.toString(t.getKey(), ""))
            .thenComparing(t -> Objects.toString(t.getOperator(), ""))
            .thenComparing(t -> Objects.toString(t.getValue(), ""))
            .thenComparing(t -> Objects.toString(t.getEffect(), ""));

    public static ImageCachePlan of(Collection<PodSpec> podSpecs, ImageCacheSettings settings) {
        TreeSet<String> images = new TreeSet<>();
        TreeSet<String> secrets = new TreeSet<>();
        TreeSet<Toleration> tolerations = new TreeSet<>(TOLERATION_ORDER);
        for (PodSpec spec : podSpecs) {
            if (spec == null) {
                continue;
            }
            Stream.concat(list(spec.getInitContainers()).stream(), list(spec.getContainers()).stream())
                    .map(Container::getImage)
                    .filter(Objects::nonNull)
                    .map(String::trim)
                    .filter(image -> !image.isEmpty() && !settings.excluded(image))
                    .forEach(images::add);
            list(spec.getImagePullSecrets()).stream()
                    .map(LocalObjectReference::getName)
                    .filter(name -> name != null && !name.isBlank())
                    .forEach(secrets::add);
            list(spec.getTolerations()).stream()
                    .filter(t -> t.getEffect() == null || t.getEffect().isEmpty() || "NoSchedule".equals(t.getEffect()))
                    .map(ImageCachePlan::asNoSchedule)
                    .forEach(tolerations::add);
        }
        tolerations.add(settings.warmupTaint().toleration());
        return new ImageCachePlan(List.copyOf(images), List.copyOf(secrets), List.copyOf(tolerations));
    }

    /**
     * The cache only needs to be scheduled where the workload may be scheduled: an empty effect
     * (all effects) narrows to NoSchedule, and tolerationSeconds means nothing for NoSchedule.
     */
    private static Toleration asNoSchedule(Toleration t) {
        return new TolerationBuilder()
                .withKey(t.getKey())
                .withOperator(t.getOperator() == null || t.getOperator().isEmpty() ? "Equal" : t.getOperator())
                .withValue("Exists".equals(t.getOperator()) ? null : t.getValue())
                .withEffect("NoSchedule")
                .build();
    }

    private static <T> List<T> list(List<T> maybe) {
        return maybe == null ? List.of() : maybe;
    }

    public boolean isEmpty() {
        return images.isEmpty();
    }
}
