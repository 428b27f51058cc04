package dev.headstart.controller.imagecache;

import dev.headstart.imagecache.CachePolicy;
import dev.headstart.imagecache.CachedImage;
import dev.headstart.imagecache.ImageState;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which CPU architectures an image runs on, where known: the configured patterns
 * ({@code headstart.image-cache.platforms}, in the policy) and what the kubelets' pull failures taught. A pull of
 * an image without a manifest for the node's platform fails with a message naming it — containerd
 * "no match for platform in manifest", Docker "no matching manifest for linux/arm64 …", CRI-O
 * "no image found in manifest list for architecture …" — and retrying it on that architecture can
 * never succeed, so the image is no longer placed there. Learned in memory: a new leader learns
 * again from the first failure.
 */
final class KnownPlatforms {

    static final List<String> PLATFORM_FAILURES = List.of("no match for platform", "no matching manifest for",
            "no image found in manifest list for architecture");

    /** image → architectures it failed on for want of a manifest. */
    private final Map<String, Set<String>> notOn = new ConcurrentHashMap<>();

    static boolean platformFailure(String message) {
        return message != null && PLATFORM_FAILURES.stream().anyMatch(message::contains);
    }

    /** Records that the image has no manifest for the architecture; true when that is news. */
    boolean learnNotOn(String image, String arch) {
        return notOn.computeIfAbsent(image, i -> ConcurrentHashMap.newKeySet()).add(arch);
    }

    /**
     * The policy's image architectures with what the failures taught: each image that failed for
     * want of a manifest gets an exact entry — its configured architectures (or else every
     * architecture among the cluster's nodes) less the failed ones. Images left with none are
     * returned in {@code nowhere}: no node of this cluster can run them.
     */
    Learned learned(CachePolicy policy, Collection<String> images, Set<String> clusterArchitectures) {
        Map<String, Set<String>> archs = new TreeMap<>(policy.imageArchitectures());
        Set<String> nowhere = new TreeSet<>();
        for (String image : images) {
            Set<String> failed = notOn.get(image);
            if (failed == null || failed.isEmpty()) {
                continue;
            }
            Set<String> configured = policy.architectures(image);
            Set<String> left = new TreeSet<>(configured.isEmpty() ? clusterArchitectures : configured);
            left.removeAll(failed);
            if (left.isEmpty()) {
                nowhere.add(image);
            } else {
                archs.put(image, Set.copyOf(left));
            }
        }
        return new Learned(archs, nowhere);
    }

    /**
     * The configured policy with what was learned: the learned architectures, and the images no
     * node of this cluster can run excluded.
     */
    CachePolicy applyTo(CachePolicy configured, Collection<String> images, Set<String> clusterArchitectures) {
        Learned learned = learned(configured, images, clusterArchitectures);
        List<String> excluded = new java.util.ArrayList<>(configured.excludedImages());
        excluded.addAll(learned.nowhere());
        return new CachePolicy(configured.sharedNamespace(), configured.maxPodsPerNode(), excluded,
                configured.nodeCredentialRegistries(), configured.transientTaintKeys(), configured.cacheTolerations(),
                learned.architectures());
    }

    /**
     * Learns from a cache pod on a node of this architecture: each image it could not pull for
     * want of a manifest for the platform. Returns what is news (the images to log and plan again for).
     */
    List<CachedImage> learnFrom(Pod pod, String arch) {
        List<CachedImage> news = new java.util.ArrayList<>();
        if (arch == null) {
            return news;
        }
        for (CachedImage image : ImageCacheCompletion.images(pod)) {
            if (image.state() != ImageState.CACHED && platformFailure(image.message()) && learnNotOn(image.image(), arch)) {
                news.add(image);
            }
        }
        return news;
    }

    record Learned(Map<String, Set<String>> architectures, Set<String> nowhere) {
    }

    void forget() {
        notOn.clear();
    }
}
