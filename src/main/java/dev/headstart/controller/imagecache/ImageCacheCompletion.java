package dev.headstart.controller.imagecache;

import dev.headstart.imagecache.CacheGroup;
import dev.headstart.imagecache.CachePodStatus;
import dev.headstart.imagecache.CachedImage;
import dev.headstart.imagecache.ImageState;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a node holds what the image cache plans for it: every group the plan assigns to the node
 * has its current pod there for each of its DaemonSets (shards, {@link ImageCacheShards}), each made
 * from its DaemonSet as last written (same template hash),
 * and no image of those pods is still {@link ImageState#PENDING}. {@link ImageState#FAILED} images
 * do not hold the node back (the kubelet goes on retrying them with back-off); they are named.
 *
 * @param complete nothing left to wait for
 * @param pending  images still being pulled (or whose pod is not there yet), for logs
 * @param failed   images the kubelet could not pull on this node, with its reason
 */
public record ImageCacheCompletion(boolean complete, List<String> pending, List<CachedImage> failed) {

    /** Nothing to wait for (no image cache runs). */
    public static final ImageCacheCompletion NOTHING_PLANNED = new ImageCacheCompletion(true, List.of(), List.of());
    /** The image cache has not planned with this node yet. */
    public static final ImageCacheCompletion NOT_PLANNED_YET = new ImageCacheCompletion(false, List.of(), List.of());

    public static ImageCacheCompletion of(String node, ImageCacheView view, Collection<Pod> podsOnNode) {
        if (!view.enabled()) {
            return NOTHING_PLANNED;
        }
        Optional<ImageCacheView.Snapshot> snapshot = view.current();
        if (snapshot.isEmpty() || !snapshot.get().plannedNodes().contains(node)) {
            return NOT_PLANNED_YET;
        }
        return of(node, snapshot.get(), podsOnNode);
    }

    static ImageCacheCompletion of(String node, ImageCacheView.Snapshot snapshot, Collection<Pod> podsOnNode) {
        List<String> pending = new ArrayList<>();
        List<CachedImage> failed = new ArrayList<>();
        Map<String, CacheGroup> groups = new java.util.HashMap<>();
        snapshot.plan().groups().forEach(g -> groups.put(g.id(), g));
        for (String id : snapshot.plan().groupsByNode().getOrDefault(node, List.of())) {
            CacheGroup group = groups.get(id);
            if (group == null) {
                continue;
            }
            for (ImageCacheView.Shard shard : snapshot.shards().getOrDefault(id, List.of())) {
                Optional<Pod> pod = current(podsOnNode, id, shard.hash());
                if (pod.isEmpty()) {
                    pending.addAll(shard.images());
                    continue;
                }
                for (CachedImage image : images(pod.get())) {
                    switch (image.state()) {
                        case PENDING -> pending.add(image.image());
                        case FAILED -> failed.add(image);
                        case CACHED -> { }
                    }
                }
            }
        }
        return new ImageCacheCompletion(pending.isEmpty(), List.copyOf(pending), List.copyOf(failed));
    }

    /** The group's pod made from this DaemonSet's current template (hash), if the DaemonSet controller has made it. */
    static Optional<Pod> current(Collection<Pod> podsOnNode, String groupId, String hash) {
        return podsOnNode.stream()
                .filter(pod -> pod.getMetadata().getLabels() != null
                        && groupId.equals(pod.getMetadata().getLabels().get(ImageCacheDaemonSet.GROUP_LABEL)))
                .filter(pod -> hash != null && pod.getMetadata().getAnnotations() != null
                        && Objects.equals(hash, pod.getMetadata().getAnnotations().get(ImageCacheDaemonSet.HASH_ANNOTATION)))
                .findFirst();
    }

    /**
     * {@link CachePodStatus} of a cache pod, also one from the informer's store, which keeps no
     * container specs: there the images annotation (one image a line, container {@code cache-i}
     * holds the i-th) stands in for them.
     */
    static List<CachedImage> images(Pod pod) {
        if (pod.getSpec() != null && pod.getSpec().getContainers() != null && !pod.getSpec().getContainers().isEmpty()) {
            return CachePodStatus.of(pod);
        }
        Map<String, String> annotations = pod.getMetadata() == null ? null : pod.getMetadata().getAnnotations();
        String text = annotations == null ? null : annotations.get(ImageCacheDaemonSet.IMAGES_ANNOTATION);
        if (text == null || text.isBlank()) {
            return List.of();
        }
        String[] lines = text.split("\n");
        List<Container> containers = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            containers.add(new ContainerBuilder().withName(ImageCacheDaemonSet.CACHE_PREFIX + i).withImage(lines[i].trim()).build());
        }
        PodSpec spec = new PodSpecBuilder().withNodeName(pod.getSpec() == null ? null : pod.getSpec().getNodeName())
                .withContainers(containers).build();
        return CachePodStatus.of(new Pod(pod.getApiVersion(), pod.getKind(), pod.getMetadata(), spec, pod.getStatus()));
    }

    /** The failed images as one line each: {@code image (reason)}. */
    public List<String> failedImages() {
        return failed.stream().map(f -> f.image() + " (" + f.reason() + ")").distinct().toList();
    }
}
