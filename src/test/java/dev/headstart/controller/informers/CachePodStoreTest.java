package dev.headstart.controller.informers;

import dev.headstart.controller.imagecache.ImageCacheDaemonSet;
import dev.headstart.imagecache.CachePodStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The compact store gives back what completion reads, the same as the pod it was given. */
class CachePodStoreTest {

    static Pod pod() {
        return new PodBuilder()
                .withNewMetadata().withName("headstart-image-cache-abc-x1").withNamespace("headstart-system")
                    .withResourceVersion("42").withUid("u-1")
                    .withLabels(Map.of("app.kubernetes.io/name", "headstart-image-cache",
                            "headstart.dev/image-cache-group", "abc", "controller-revision-hash", "7d9"))
                    .withAnnotations(Map.of(ImageCacheDaemonSet.IMAGES_ANNOTATION, "a:1\nb:1\nc:1\nd:1",
                            ImageCacheDaemonSet.HASH_ANNOTATION, "h1", "other", "x"))
                .endMetadata()
                .withNewSpec().withNodeName("n1")
                    .addNewContainer().withName("cache-0").withImage("a:1").endContainer()
                    .addNewContainer().withName("cache-1").withImage("b:1").endContainer()
                    .addNewContainer().withName("cache-2").withImage("c:1").endContainer()
                    .addNewContainer().withName("cache-3").withImage("d:1").endContainer()
                .endSpec()
                .withNewStatus()
                    .addToContainerStatuses(new ContainerStatusBuilder().withName("cache-0").withImage("a:1")
                            .withImageID("docker.io/library/a@sha256:00").withContainerID("containerd://1")
                            .withNewState().withNewRunning().withStartedAt("2026-11-27T10:00:00Z").endRunning().endState()
                            .build())
                    .addToContainerStatuses(new ContainerStatusBuilder().withName("cache-1").withImage("b:1")
                            .withNewState().withNewWaiting().withReason("ImagePullBackOff")
                                .withMessage("Back-off pulling image \"b:1\"").endWaiting().endState().build())
                    .addToContainerStatuses(new ContainerStatusBuilder().withName("cache-2").withImage("c:1")
                            .withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState()
                            .withNewLastState().withNewTerminated().withExitCode(1)
                                .withStartedAt("2026-11-27T09:00:00Z").endTerminated().endLastState()
                            .build())
                    .addToContainerStatuses(new ContainerStatusBuilder().withName("cache-3").withImage("d:1")
                            .withNewState().withNewWaiting().withReason("ContainerCreating").endWaiting().endState()
                            .build())
                    .addNewInitContainerStatus().withName("headstart-noop-installer")
                        .withNewState().withNewTerminated().withExitCode(0).withReason("Completed")
                            .withStartedAt("2026-11-27T09:59:58Z").endTerminated().endState()
                    .endInitContainerStatus()
                .endStatus()
                .build();
    }

    @Test
    void keepsWhatCompletionReadsAndNothingElse() {
        CachePodStore store = new CachePodStore(Set.of("app.kubernetes.io/name", "headstart.dev/image-cache-group"),
                Set.of(ImageCacheDaemonSet.IMAGES_ANNOTATION, ImageCacheDaemonSet.HASH_ANNOTATION));
        Pod original = pod();
        String key = store.getKey(original);
        assertThat(store.put(key, original)).isNull();
        Pod stored = store.get(key);

        assertThat(key).isEqualTo("headstart-system/headstart-image-cache-abc-x1");
        assertThat(stored.getMetadata().getName()).isEqualTo("headstart-image-cache-abc-x1");
        assertThat(stored.getMetadata().getNamespace()).isEqualTo("headstart-system");
        assertThat(stored.getMetadata().getResourceVersion()).isEqualTo("42");
        assertThat(stored.getMetadata().getLabels()).containsOnlyKeys("app.kubernetes.io/name", "headstart.dev/image-cache-group");
        assertThat(stored.getMetadata().getAnnotations()).containsOnlyKeys(ImageCacheDaemonSet.IMAGES_ANNOTATION,
                ImageCacheDaemonSet.HASH_ANNOTATION);
        assertThat(stored.getSpec().getNodeName()).isEqualTo("n1");
        assertThat(stored.getSpec().getContainers()).isEmpty();
        assertThat(stored.getStatus().getContainerStatuses().get(0).getImageID()).isNull();
        assertThat(stored.getStatus().getInitContainerStatuses()).singleElement()
                .satisfies(s -> assertThat(s.getState().getTerminated().getStartedAt()).isEqualTo("2026-11-27T09:59:58Z"));

        // What the statuses say, read through the images annotation, is what the whole pod says.
        Pod fromStore = new Pod("v1", "Pod", stored.getMetadata(), original.getSpec(), stored.getStatus());
        assertThat(CachePodStatus.of(fromStore)).isEqualTo(CachePodStatus.of(original));

        assertThat(store.remove(key).getMetadata().getResourceVersion()).isEqualTo("42");
        assertThat(store.size()).isZero();
    }
}
