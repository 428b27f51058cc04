package dev.headstart.controller.imagecache;

import dev.headstart.controller.informers.ControllerKinds;
import dev.headstart.controller.informers.Subscription;
import dev.headstart.imagecache.CacheGroup;
import dev.headstart.imagecache.CachePlan;
import dev.headstart.imagecache.CachedImage;
import dev.headstart.imagecache.ImageState;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The image cache's status side: for every (node, image) the published plan puts somewhere, the
 * state its cache pod reports (each of the group's shards' pods; pending while no current pod runs there), counted into the metrics;
 * failed images go to their reporter (Events, PolicyReports) with the workloads that use them.
 * Reads only the shared cache-pod informer; writes nothing but what the reporter writes.
 */
final class ImageCacheStatusPass {

    private final ImageCacheMetrics metrics;
    private final FailedImageReporter reporter;

    ImageCacheStatusPass(ImageCacheMetrics metrics, FailedImageReporter reporter) {
        this.metrics = metrics;
        this.reporter = reporter;
    }

    /** One pass over the snapshot's plan; {@code users}: image → the workloads that use it. */
    void run(ImageCacheView.Snapshot snapshot, Subscription<Pod> pods, Map<String, List<WorkloadRef>> users) {
        CachePlan plan = snapshot.plan();
        Map<String, CacheGroup> groups = new HashMap<>();
        plan.groups().forEach(g -> groups.put(g.id(), g));
        Map<ImageState, Long> counts = new EnumMap<>(ImageState.class);
        Map<String, List<CachedImage>> failures = new TreeMap<>();
        Map<String, Set<String>> failedNodes = new HashMap<>();
        plan.groupsByNode().forEach((node, ids) -> {
            List<Pod> onNode = pods.byIndex(ControllerKinds.NODE_NAME_INDEX, node);
            for (String id : ids) {
                CacheGroup group = groups.get(id);
                if (group == null) {
                    continue;
                }
                for (ImageCacheView.Shard shard : snapshot.shards().getOrDefault(id, List.of())) {
                    var pod = ImageCacheCompletion.current(onNode, id, shard.hash());
                    if (pod.isEmpty()) {
                        counts.merge(ImageState.PENDING, (long) shard.images().size(), Long::sum);
                        continue;
                    }
                    for (CachedImage image : ImageCacheCompletion.images(pod.get())) {
                        counts.merge(image.state(), 1L, Long::sum);
                        if (image.state() == ImageState.FAILED) {
                            failures.computeIfAbsent(image.image(), i -> new ArrayList<>()).add(image);
                            failedNodes.computeIfAbsent(image.image(), i -> new TreeSet<>()).add(node);
                        }
                    }
                }
            }
        });
        metrics.images(counts);
        Map<String, FailedImage> failed = new TreeMap<>();
        failures.forEach((image, seen) -> failed.put(image, summarize(image, failedNodes.get(image), seen)));
        reporter.update(failed, users);
    }

    /** The most common reason, and a message that says why rather than "Back-off pulling image". */
    static FailedImage summarize(String image, Set<String> nodes, List<CachedImage> seen) {
        String reason = seen.stream().collect(Collectors.groupingBy(i -> Objects.toString(i.reason(), "Failed"),
                        TreeMap::new, Collectors.counting()))
                .entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("Failed");
        String message = seen.stream().map(CachedImage::message).filter(Objects::nonNull)
                .filter(m -> !m.startsWith("Back-off pulling image")).findFirst()
                .orElse(seen.stream().map(CachedImage::message).filter(Objects::nonNull).findFirst().orElse(null));
        return new FailedImage(image, Set.copyOf(nodes), reason, message);
    }
}
