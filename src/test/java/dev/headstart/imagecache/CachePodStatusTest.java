package dev.headstart.imagecache;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CachePodStatusTest {

    static final String STARTED = "2026-11-21T11:58:00Z";

    static Pod cachePod(List<String> images, List<ContainerStatus> statuses, ContainerStatus... init) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName("headstart-image-cache-abc-x1")
                .withAnnotations(Map.of(CachePodStatus.IMAGES_ANNOTATION, String.join("\n", images))).endMetadata()
                .withNewSpec()
                .addNewInitContainer().withName(CachePodStatus.INSTALLER).withImage("busybox:1.36.1-musl").endInitContainer()
                .endSpec();
        for (int i = 0; i < images.size(); i++) {
            // the spec's image may be spelled otherwise: the annotation is what maps names back
            pod.editSpec().addNewContainer().withName("cache-" + i).withImage("docker.io/library/" + images.get(i)).endContainer().endSpec();
        }
        pod.editSpec().addNewContainer().withName("sidecar").withImage("other:1").endContainer().endSpec();
        return pod.withNewStatus().withContainerStatuses(statuses).withInitContainerStatuses(init).endStatus().build();
    }

    static ContainerStatus running(String name, String startedAt) {
        return new ContainerStatusBuilder().withName(name).withNewState().withNewRunning().withStartedAt(startedAt).endRunning()
                .endState().build();
    }

    static ContainerStatus waiting(String name, String reason, String message) {
        return new ContainerStatusBuilder().withName(name).withNewState().withNewWaiting().withReason(reason).withMessage(message)
                .endWaiting().endState().build();
    }

    @Test
    void runningAndTerminatedContainersHoldTheirImageSinceTheyStarted() {
        ContainerStatus terminated = new ContainerStatusBuilder().withName("cache-1").withNewState().withNewTerminated()
                .withExitCode(0).withStartedAt("2026-11-21T11:57:00Z").withFinishedAt("2026-11-21T11:59:00Z").endTerminated()
                .endState().build();
        Pod pod = cachePod(List.of("a:1", "b:1"), List.of(running("cache-0", STARTED), terminated));

        assertThat(CachePodStatus.of(pod)).containsExactly(
                new CachedImage("a:1", ImageState.CACHED, Instant.parse(STARTED), null, null),
                new CachedImage("b:1", ImageState.CACHED, Instant.parse("2026-11-21T11:57:00Z"), null, null));
    }

    @Test
    void aRestartedContainerIsCachedSinceItsFirstStartSeen() {
        ContainerStatus restarted = new ContainerStatusBuilder(running("cache-0", STARTED)).withNewLastState().withNewTerminated()
                .withExitCode(137).withStartedAt("2026-11-21T10:00:00Z").endTerminated().endLastState().build();
        ContainerStatus backingOff = new ContainerStatusBuilder(waiting("cache-1", "CrashLoopBackOff", "back-off 10s"))
                .withNewLastState().withNewTerminated().withExitCode(1).withStartedAt("2026-11-21T10:30:00Z").endTerminated()
                .endLastState().build();
        Pod pod = cachePod(List.of("a:1", "b:1"), List.of(restarted, backingOff));

        assertThat(CachePodStatus.of(pod)).extracting(CachedImage::state, CachedImage::since).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ImageState.CACHED, Instant.parse("2026-11-21T10:00:00Z")),
                org.assertj.core.groups.Tuple.tuple(ImageState.CACHED, Instant.parse("2026-11-21T10:30:00Z")));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "ErrImagePull,FAILED",
            "ImagePullBackOff,FAILED",
            "ImageInspectError,FAILED",
            "ErrImageNeverPull,FAILED",
            "InvalidImageName,FAILED",
            "RegistryUnavailable,FAILED",
            "SignatureValidationFailed,FAILED",
            "CreateContainerConfigError,FAILED",
            "CreateContainerError,FAILED",
            "RunContainerError,FAILED",
            "CrashLoopBackOff,FAILED",
            "ContainerCreating,PENDING",
            "PodInitializing,PENDING"})
    void waitingReasonsTellFailedFromPending(String reason, ImageState state) {
        Pod pod = cachePod(List.of("gone:1"), List.of(waiting("cache-0", reason, "the kubelet says why")));
        assertThat(CachePodStatus.of(pod)).containsExactly(new CachedImage("gone:1", state, null, reason, "the kubelet says why"));
    }

    @Test
    void oneFailedImageLeavesTheOthersAlone() {
        Pod pod = cachePod(List.of("a:1", "gone:1", "c:1"), List.of(running("cache-0", STARTED),
                waiting("cache-1", "ImagePullBackOff", "Back-off pulling image \"gone:1\""), running("cache-2", STARTED)));
        assertThat(CachePodStatus.of(pod)).extracting(CachedImage::image, CachedImage::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple("a:1", ImageState.CACHED),
                org.assertj.core.groups.Tuple.tuple("gone:1", ImageState.FAILED),
                org.assertj.core.groups.Tuple.tuple("c:1", ImageState.CACHED));
        assertThat(CachePodStatus.of(pod).get(1).message()).isEqualTo("Back-off pulling image \"gone:1\"");
    }

    @Test
    void noStatusYetIsPendingAndAStuckInstallerSaysWhy() {
        assertThat(CachePodStatus.of(cachePod(List.of("a:1"), List.of())))
                .containsExactly(new CachedImage("a:1", ImageState.PENDING, null, null, null));
        Pod noStatus = cachePod(List.of("a:1"), List.of());
        noStatus.setStatus(null);
        assertThat(CachePodStatus.of(noStatus)).containsExactly(new CachedImage("a:1", ImageState.PENDING, null, null, null));

        Pod stuck = cachePod(List.of("a:1"), List.of(),
                waiting(CachePodStatus.INSTALLER, "ImagePullBackOff", "Back-off pulling image \"busybox:1.36.1-musl\""));
        assertThat(CachePodStatus.of(stuck)).containsExactly(new CachedImage("a:1", ImageState.PENDING, null, "ImagePullBackOff",
                "the no-op installer cannot start: Back-off pulling image \"busybox:1.36.1-musl\""));
    }

    @Test
    void withoutTheAnnotationTheSpecsImageIsUsed() {
        Pod pod = cachePod(List.of("a:1"), List.of(running("cache-0", STARTED)));
        pod.getMetadata().setAnnotations(Map.of());
        assertThat(CachePodStatus.of(pod)).extracting(CachedImage::image).containsExactly("docker.io/library/a:1");
    }

    @Test
    void aPodKeptWithoutItsContainerSpecsIsReadFromTheAnnotation() {
        Pod pod = cachePod(List.of("a:1", "gone:1"), List.of(running("cache-0", STARTED),
                waiting("cache-1", "ErrImagePull", "not found")));
        pod.setSpec(null);
        assertThat(CachePodStatus.of(pod)).containsExactly(
                new CachedImage("a:1", ImageState.CACHED, Instant.parse(STARTED), null, null),
                new CachedImage("gone:1", ImageState.FAILED, null, "ErrImagePull", "not found"));
    }
}
