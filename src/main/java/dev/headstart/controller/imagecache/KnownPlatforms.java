package dev.headstart.controller.imagecache;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which CPU architectures an image runs on, where known: configured patterns
 * ({@code headstart.image-cache.platforms}) and what the kubelets' pull failures taught. A pull of
 * an image without a manifest for the node's platform fails with a message naming it — containerd
 * "no match for platform in manifest", Docker "no matching manifest for linux/arm64 …", CRI-O
 * "no image found in manifest list for architecture …" — and retrying it on that architecture can
 * never succeed, so the image is no longer placed there. Learned in memory: a new leader learns
 * again from the first failure.
 */
final class KnownPlatforms {

    static final List<String> PLATFORM_FAILURES = List.of("no match for platform", "no matching manifest for",
            "no image found in manifest list for architecture");

    private final Map<String, Set<String>> patterns;
    /** image → architectures it failed on for want of a manifest. */
    private final Map<String, Set<String>> notOn = new ConcurrentHashMap<>();

    KnownPlatforms(Map<String, Set<String>> patterns) {
        this.patterns = patterns;
    }

    static boolean platformFailure(String message) {
        return message != null && PLATFORM_FAILURES.stream().anyMatch(message::contains);
    }

    /** Records that the image has no manifest for the architecture; true when that is news. */
    boolean learnNotOn(String image, String arch) {
        return notOn.computeIfAbsent(image, i -> ConcurrentHashMap.newKeySet()).add(arch);
    }

    /**
     * The architectures of each image that has known ones: the configured ones, or else every
     * architecture among the cluster's nodes, less the ones its pulls failed on. An empty set means
     * the image runs on none of the cluster's nodes.
     */
    Map<String, Set<String>> architectures(Collection<String> images, Set<String> clusterArchitectures) {
        Map<String, Set<String>> known = new TreeMap<>();
        for (String image : images) {
            Set<String> configured = configured(image);
            Set<String> failed = notOn.get(image);
            if (failed == null || failed.isEmpty()) {
                if (configured != null) {
                    known.put(image, configured);
                }
                continue;
            }
            Set<String> archs = new TreeSet<>(configured != null ? configured : clusterArchitectures);
            archs.removeAll(failed);
            known.put(image, Set.copyOf(archs));
        }
        return known;
    }

    private Set<String> configured(String image) {
        for (Map.Entry<String, Set<String>> entry : patterns.entrySet()) {
            if (ImageCacheSettings.matches(entry.getKey(), image)) {
                return entry.getValue();
            }
        }
        return null;
    }

    void forget() {
        notOn.clear();
    }
}
