package dev.headstart.controller.imagecache;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;

/**
 * When a node holds its images: every image-cache DaemonSet has a pod on the node, made from the
 * DaemonSet's current image list, whose init containers all terminated with exit code 0.
 */
public final class ImageCacheCompletion {

    private ImageCacheCompletion() {
    }

    /** All init containers of the pod's spec terminated successfully (each pulled and ran the no-op). */
    public static boolean podComplete(Pod pod) {
        if (pod.getSpec() == null || pod.getSpec().getInitContainers() == null || pod.getStatus() == null) {
            return false;
        }
        Collection<ContainerStatus> statuses = pod.getStatus().getInitContainerStatuses() == null
                ? java.util.List.of() : pod.getStatus().getInitContainerStatuses();
        return pod.getSpec().getInitContainers().stream().allMatch(container -> statuses.stream()
                .filter(status -> container.getName().equals(status.getName()))
                .anyMatch(status -> status.getState() != null
                        && status.getState().getTerminated() != null
                        && Integer.valueOf(0).equals(status.getState().getTerminated().getExitCode())));
    }

    /**
     * True when every cache DaemonSet is satisfied on the node (so also when there is none: there
     * is nothing to wait for).
     */
    public static boolean nodeComplete(String nodeName, Collection<DaemonSet> caches, Collection<Pod> cachePods) {
        return caches.stream().allMatch(cache -> cachePods.stream().anyMatch(pod ->
                nodeName.equals(pod.getSpec() == null ? null : pod.getSpec().getNodeName())
                        && Objects.equals(cache.getMetadata().getNamespace(), pod.getMetadata().getNamespace())
                        && Objects.equals(images(cache.getSpec().getTemplate().getMetadata().getAnnotations()),
                                images(pod.getMetadata().getAnnotations()))
                        && podComplete(pod)));
    }

    private static String images(Map<String, String> annotations) {
        return annotations == null ? null : annotations.get(ImageCacheDaemonSet.IMAGES_ANNOTATION);
    }
}
