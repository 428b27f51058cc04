package dev.headstart.controller.informers;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;

import java.util.List;
import java.util.function.Function;

/**
 * What the image cache reads of a workload's containers: name, image, resources and restart policy
 * (an init container with {@code restartPolicy: Always} is a sidecar, counted as the scheduler
 * counts it). The rest of a container — env, probes, ports, mounts, security context — is most of
 * its size: a realistic container kept whole is ~10 KB in the store, trimmed ~1 KB, so 2,000
 * workloads of two containers hold ~4 MiB instead of ~41 MiB.
 */
public final class PodTemplateContainers {

    private PodTemplateContainers() {
    }

    /** Keeps only what the image cache reads of each container of the pod spec {@code spec} finds. */
    public static <T> StoreTrim<T> imageCacheFields(Function<T, PodSpec> spec) {
        return obj -> {
            PodSpec podSpec = spec.apply(obj);
            if (podSpec == null) {
                return () -> { };
            }
            List<Container> containers = podSpec.getContainers();
            List<Container> initContainers = podSpec.getInitContainers();
            podSpec.setContainers(trimmed(containers));
            podSpec.setInitContainers(trimmed(initContainers));
            return () -> {
                podSpec.setContainers(containers);
                podSpec.setInitContainers(initContainers);
            };
        };
    }

    static List<Container> trimmed(List<Container> containers) {
        if (containers == null) {
            return null;
        }
        return containers.stream().map(c -> c == null ? null : new ContainerBuilder()
                .withName(c.getName())
                .withImage(c.getImage())
                .withResources(c.getResources())
                .withRestartPolicy(c.getRestartPolicy())
                .build()).toList();
    }
}
