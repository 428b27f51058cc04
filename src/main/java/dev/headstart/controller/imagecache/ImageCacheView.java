package dev.headstart.controller.imagecache;

import dev.headstart.imagecache.CachePlan;
import dev.headstart.cluster.ClusterAccess;
import dev.headstart.config.HeadstartConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the image cache expects on each node now, for the warm pool: the image cache's reconciler
 * publishes its latest plan (and each group's DaemonSets' pod-template hashes) here, and the warm pool reads it to
 * tell whether a node's cache is complete. Rebuilt from the informers by every plan, never the only
 * copy of anything: a new leader plans again before a node counts as complete.
 */
@Singleton
public class ImageCacheView {

    /**
     * One plan as written.
     *
     * @param shards       group id → its DaemonSets as written ({@link ImageCacheShards}): each
     *                     one's pod-template hash and images; a node holds the group when every
     *                     shard's current pod there has its images
     * @param plannedNodes every node the plan was computed with (a node not among them, such as
     *                     one that has just joined, is not known yet: not complete)
     */
    public record Snapshot(CachePlan plan, Map<String, List<Shard>> shards, Set<String> plannedNodes) {
        public Snapshot {
            shards = Map.copyOf(shards);
            plannedNodes = Set.copyOf(plannedNodes);
        }
    }

    /** One DaemonSet of a group: its pod-template hash and the images it caches. */
    public record Shard(String hash, List<String> images) {
        public Shard {
            images = List.copyOf(images);
        }

        public static Shard of(DaemonSet daemonSet) {
            String text = daemonSet.getMetadata().getAnnotations().get(ImageCacheDaemonSet.IMAGES_ANNOTATION);
            return new Shard(ImageCacheDaemonSet.hashOf(daemonSet),
                    text == null || text.isEmpty() ? List.of() : List.of(text.split("\n")));
        }
    }

    private final boolean enabled;
    private volatile Snapshot current;

    @Inject
    public ImageCacheView(HeadstartConfig config, ClusterAccess cluster) {
        this(config.isController() && cluster.enabled() && config.imageCache().enabled());
    }

    /** @param enabled whether an image cache runs on this controller at all (from configuration) */
    public ImageCacheView(boolean enabled) {
        this.enabled = enabled;
    }

    /** Leadership lost: the next leader plans again before any node counts as complete. */
    public void clear() {
        current = null;
    }

    public void publish(Snapshot snapshot) {
        current = snapshot;
    }

    /** False when the image cache is switched off: a warm node then has nothing to wait for. */
    public boolean enabled() {
        return enabled;
    }

    /** The latest plan; empty while the image cache has not planned yet (or does not run). */
    public Optional<Snapshot> current() {
        return Optional.ofNullable(current);
    }
}
