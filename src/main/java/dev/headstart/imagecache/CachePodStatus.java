package dev.headstart.imagecache;

import dev.headstart.telemetry.Rfc3339;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;

import dev.headstart.telemetry.Rfc3339;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which images a cache pod holds, from its container statuses. The pod runs one regular container
 * per image, {@code cache-0..cache-N} in the order of the {@code headstart.dev/image-cache-images}
 * annotation (one image a line), after the {@code headstart-noop-installer} init container. A pod
 * read without its container specs is read from the annotation alone.
 *
 * <ul>
 *   <li>CACHED: the container runs or ran (started at least once, so its image is on the node);
 *       since = its earliest start seen (this run's, or the last terminated run's).</li>
 *   <li>FAILED: waiting on a pull failure ({@code pkg/kubelet/images/types.go}: ErrImagePull,
 *       ImagePullBackOff, ImageInspectError, ErrImageNeverPull, InvalidImageName; the CRI's
 *       RegistryUnavailable, SignatureValidationFailed), or on a failure to create or start the
 *       container that never ran ({@code pkg/kubelet/container/sync_result.go} and the kubelet's
 *       CreateContainerConfigError, CreateContainerError, RunContainerError, PreStartHookError,
 *       PostStartHookError, CrashLoopBackOff): the cache pod cannot show the image, whatever the
 *       node holds. The kubelet retries with back-off, so FAILED can still turn CACHED.</li>
 *   <li>PENDING: everything else (no status yet, ContainerCreating, PodInitializing, the no-op
 *       installer not done; when the installer itself cannot be pulled, its reason is given).</li>
 * </ul>
 */
public final class CachePodStatus {

    public static final String INSTALLER = "headstart-noop-installer";
    public static final String CACHE_PREFIX = "cache-";
    public static final String IMAGES_ANNOTATION = "headstart.dev/image-cache-images";

    static final Set<String> PULL_FAILURES = Set.of("ErrImagePull", "ImagePullBackOff", "ImageInspectError",
            "ErrImageNeverPull", "InvalidImageName", "RegistryUnavailable", "SignatureValidationFailed");
    static final Set<String> START_FAILURES = Set.of("CreateContainerConfigError", "CreateContainerError",
            "RunContainerError", "PreStartHookError", "PostStartHookError", "CrashLoopBackOff");

    private CachePodStatus() {
    }

    /** One entry per image container, in {@code cache-N} order. */
    public static List<CachedImage> of(Pod pod) {
        List<String> annotated = annotatedImages(pod);
        List<Container> containers = pod.getSpec() == null || pod.getSpec().getContainers() == null
                ? List.of() : pod.getSpec().getContainers();
        Map<String, ContainerStatus> statuses = new HashMap<>();
        Optional<ContainerStateWaiting> installerStuck = Optional.empty();
        if (pod.getStatus() != null) {
            if (pod.getStatus().getContainerStatuses() != null) {
                pod.getStatus().getContainerStatuses().forEach(s -> statuses.put(s.getName(), s));
            }
            if (pod.getStatus().getInitContainerStatuses() != null) {
                installerStuck = pod.getStatus().getInitContainerStatuses().stream()
                        .filter(s -> INSTALLER.equals(s.getName()) && s.getState() != null && s.getState().getWaiting() != null
                                && PULL_FAILURES.contains(s.getState().getWaiting().getReason()))
                        .map(s -> s.getState().getWaiting()).findFirst();
            }
        }
        List<CachedImage> images = new ArrayList<>();
        for (Container container : containers) {
            int index = cacheIndex(container.getName());
            if (index < 0) {
                continue;
            }
            String image = index < annotated.size() ? annotated.get(index) : container.getImage();
            images.add(state(image, statuses.get(container.getName()), installerStuck));
        }
        if (images.isEmpty()) {
            // a pod kept without its container specs (an informer's reduced store): the annotation stands in
            for (int i = 0; i < annotated.size(); i++) {
                images.add(state(annotated.get(i), statuses.get(CACHE_PREFIX + i), installerStuck));
            }
        }
        return images;
    }

    private static CachedImage state(String image, ContainerStatus status, Optional<ContainerStateWaiting> installerStuck) {
        if (status == null || status.getState() == null) {
            return installerStuck
                    .map(w -> new CachedImage(image, ImageState.PENDING, null, w.getReason(),
                            "the no-op installer cannot start: " + w.getMessage()))
                    .orElseGet(() -> new CachedImage(image, ImageState.PENDING, null, null, null));
        }
        ContainerState state = status.getState();
        Optional<Instant> earlier = Optional.ofNullable(status.getLastState()).map(ContainerState::getTerminated)
                .map(ContainerStateTerminated::getStartedAt).flatMap(Rfc3339::parse);
        if (state.getRunning() != null) {
            Optional<Instant> started = Rfc3339.parse(state.getRunning().getStartedAt());
            return new CachedImage(image, ImageState.CACHED, earliest(started, earlier).orElse(null), null, null);
        }
        if (state.getTerminated() != null) {
            Optional<Instant> started = earliest(Rfc3339.parse(state.getTerminated().getStartedAt()), earlier);
            if (started.isPresent()) {
                return new CachedImage(image, ImageState.CACHED, started.get(), null, null);
            }
            return new CachedImage(image, ImageState.PENDING, null, state.getTerminated().getReason(),
                    state.getTerminated().getMessage());
        }
        ContainerStateWaiting waiting = state.getWaiting();
        String reason = waiting == null ? null : waiting.getReason();
        String message = waiting == null ? null : waiting.getMessage();
        if (earlier.isPresent()) {
            return new CachedImage(image, ImageState.CACHED, earlier.get(), null, null);
        }
        if (reason != null && (PULL_FAILURES.contains(reason) || START_FAILURES.contains(reason))) {
            return new CachedImage(image, ImageState.FAILED, null, reason, message);
        }
        return new CachedImage(image, ImageState.PENDING, null, reason, message);
    }

    /** The images the pod was made for, in container order; empty when the annotation is missing. */
    static List<String> annotatedImages(Pod pod) {
        Map<String, String> annotations = pod.getMetadata() == null ? null : pod.getMetadata().getAnnotations();
        String text = annotations == null ? null : annotations.get(IMAGES_ANNOTATION);
        if (text == null || text.isBlank()) {
            return List.of();
        }
        return Arrays.stream(text.split("\n")).map(String::trim).toList();
    }

    /** N for {@code cache-N}, else -1. */
    static int cacheIndex(String name) {
        if (name == null || !name.startsWith(CACHE_PREFIX)) {
            return -1;
        }
        try {
            int index = Integer.parseInt(name.substring(CACHE_PREFIX.length()));
            return index < 0 ? -1 : index;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Optional<Instant> earliest(Optional<Instant> a, Optional<Instant> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        return Optional.of(a.get().isBefore(b.get()) ? a.get() : b.get());
    }
}
