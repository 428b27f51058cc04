package dev.headstart.controller.imagecache;

import dev.headstart.config.HeadstartConfig;
import dev.headstart.controller.warmpool.WarmupTaint;
import dev.headstart.imagecache.CachePolicy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the image cache's plan, DaemonSets and reconciler need from configuration. */
public record ImageCacheSettings(
        String noopImage,
        List<String> exclude,
        WarmupTaint warmupTaint,
        Duration debounce,
        String sharedNamespace,
        int maxPodsPerNode,
        List<String> nodeCredentialRegistries,
        List<String> transientTaintKeys,
        /* image pattern (exact, or prefix ending in *) -> architectures, in configuration order */
        Map<String, Set<String>> platforms) {


    public ImageCacheSettings {
        exclude = List.copyOf(exclude);
        nodeCredentialRegistries = List.copyOf(nodeCredentialRegistries);
        // The warm-up taint is always transient for matching: warm nodes must get their cache.
        Set<String> keys = new LinkedHashSet<>(transientTaintKeys);
        keys.add(warmupTaint.key());
        transientTaintKeys = List.copyOf(keys);
        platforms = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(platforms));
        maxPodsPerNode = Math.max(1, maxPodsPerNode);
    }

    /** The defaults, with the given no-op image, exclusions, taint and debounce (tests). */
    public ImageCacheSettings(String noopImage, List<String> exclude, WarmupTaint warmupTaint, Duration debounce) {
        this(noopImage, exclude, warmupTaint, debounce, CachePolicy.DEFAULT_SHARED_NAMESPACE,
                CachePolicy.DEFAULT_MAX_PODS_PER_NODE, CachePolicy.DEFAULT_NODE_CREDENTIAL_REGISTRIES,
                CachePolicy.DEFAULT_TRANSIENT_TAINT_KEYS, Map.of());
    }

    public ImageCacheSettings withMaxPodsPerNode(int max) {
        return new ImageCacheSettings(noopImage, exclude, warmupTaint, debounce, sharedNamespace, max,
                nodeCredentialRegistries, transientTaintKeys, platforms);
    }

    public ImageCacheSettings withPlatforms(Map<String, Set<String>> patterns) {
        return new ImageCacheSettings(noopImage, exclude, warmupTaint, debounce, sharedNamespace, maxPodsPerNode,
                nodeCredentialRegistries, transientTaintKeys, patterns);
    }

    public static ImageCacheSettings from(HeadstartConfig config) {
        HeadstartConfig.ImageCache cache = config.imageCache();
        return new ImageCacheSettings(
                cache.noopImage().trim(),
                trimmed(cache.exclude().orElse(List.of())),
                WarmupTaint.parse(config.warmPool().taint()),
                Duration.ofMillis(Math.max(0, cache.debounceMillis())),
                config.controller().namespace().trim(),
                cache.maxPodsPerNode(),
                trimmed(cache.nodeCredentialRegistries()),
                trimmed(cache.transientTaintKeys()),
                platformsOrNone(cache.platforms().orElse("")));
    }

    /** A typo in the platforms must not stop the controller: one line, and no platform is assumed. */
    private static Map<String, Set<String>> platformsOrNone(String text) {
        try {
            return parsePlatforms(text);
        } catch (IllegalArgumentException e) {
            org.jboss.logging.Logger.getLogger(ImageCacheSettings.class).warnf("%s; platforms ignored", e.getMessage());
            return Map.of();
        }
    }

    /**
     * {@code pattern=arch[,arch];pattern=arch…}: an image matching the pattern (exact, or a prefix
     * ending in {@code *}) runs only on those {@code kubernetes.io/arch} values. Entries are
     * separated by {@code ;} because a configuration list would split at the commas.
     *
     * @throws IllegalArgumentException naming the entry that does not parse
     */
    public static Map<String, Set<String>> parsePlatforms(String text) {
        try {
            return CachePolicy.parsePlatforms(Arrays.asList(text.split(";")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("headstart.image-cache.platforms: " + e.getMessage());
        }
    }

    /** The planner's policy from this configuration: cache pods tolerate the warm-up taint. */
    public CachePolicy policy() {
        return new CachePolicy(sharedNamespace, maxPodsPerNode, exclude, nodeCredentialRegistries, transientTaintKeys,
                List.of(), platforms).tolerating(warmupTaint.toleration());
    }

    /** Exact reference, or a prefix when the pattern ends in {@code *}. */
    public boolean excluded(String image) {
        return exclude.stream().anyMatch(pattern -> pattern.endsWith("*")
                ? image.startsWith(pattern.substring(0, pattern.length() - 1))
                : image.equals(pattern));
    }

    private static List<String> trimmed(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                out.add(value.trim());
            }
        }
        return out;
    }
}
