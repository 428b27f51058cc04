package dev.headstart.controller.imagecache;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.headstart.controller.imagecache.ImageCacheFixtures.SETTINGS;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

class ImageCacheCompletionTest {

    static final DaemonSet CACHE = ImageCacheDaemonSet.build("shop",
            ImageCachePlan.of(List.of(spec(List.of("a:1", "b:1"), List.of(), List.of(), List.of())), SETTINGS), SETTINGS);

    static ContainerStatus terminated(String name, int exitCode) {
        return new ContainerStatusBuilder().withName(name).withNewState().withNewTerminated()
                .withExitCode(exitCode).endTerminated().endState().build();
    }

    static ContainerStatus running(String name) {
        return new ContainerStatusBuilder().withName(name).withNewState().withNewRunning().endRunning().endState().build();
    }

    /** A pod of the DaemonSet on the node with these init-container statuses. */
    static Pod pod(String node, String namespace, String images, ContainerStatus... statuses) {
        return new PodBuilder()
                .withNewMetadata().withName("headstart-image-cache-x").withNamespace(namespace)
                    .withAnnotations(Map.of(ImageCacheDaemonSet.IMAGES_ANNOTATION, images)).endMetadata()
                .withSpec(new io.fabric8.kubernetes.api.model.PodSpecBuilder(CACHE.getSpec().getTemplate().getSpec())
                        .withNodeName(node).build())
                .withNewStatus().withInitContainerStatuses(statuses).endStatus()
                .build();
    }

    static ContainerStatus[] allDone() {
        return new ContainerStatus[]{terminated("headstart-noop-installer", 0), terminated("cache-0", 0), terminated("cache-1", 0)};
    }

    @Test
    void podIsCompleteOnlyWhenEveryInitContainerExitedZero() {
        assertThat(ImageCacheCompletion.podComplete(pod("n1", "shop", "a:1\nb:1", allDone()))).isTrue();
        assertThat(ImageCacheCompletion.podComplete(pod("n1", "shop", "a:1\nb:1",
                terminated("headstart-noop-installer", 0), terminated("cache-0", 0), running("cache-1")))).isFalse();
        assertThat(ImageCacheCompletion.podComplete(pod("n1", "shop", "a:1\nb:1",
                terminated("headstart-noop-installer", 0), terminated("cache-0", 0), terminated("cache-1", 127)))).isFalse();
        assertThat(ImageCacheCompletion.podComplete(pod("n1", "shop", "a:1\nb:1",
                terminated("headstart-noop-installer", 0), terminated("cache-0", 0)))).isFalse();
        assertThat(ImageCacheCompletion.podComplete(pod("n1", "shop", "a:1\nb:1"))).isFalse();
    }

    @Test
    void nodeIsCompleteWhenEveryCacheHasACompletePodOfItsCurrentImagesThere() {
        assertThat(ImageCacheCompletion.nodeComplete("n1", List.of(CACHE), List.of(pod("n1", "shop", "a:1\nb:1", allDone())))).isTrue();
        // on another node
        assertThat(ImageCacheCompletion.nodeComplete("n1", List.of(CACHE), List.of(pod("n2", "shop", "a:1\nb:1", allDone())))).isFalse();
        // a pod of the previous image list
        assertThat(ImageCacheCompletion.nodeComplete("n1", List.of(CACHE), List.of(pod("n1", "shop", "a:1", allDone())))).isFalse();
        // another namespace's cache pod does not count for this one
        assertThat(ImageCacheCompletion.nodeComplete("n1", List.of(CACHE), List.of(pod("n1", "other", "a:1\nb:1", allDone())))).isFalse();
        // no caches: nothing to wait for
        assertThat(ImageCacheCompletion.nodeComplete("n1", List.of(), List.of())).isTrue();
    }
}
