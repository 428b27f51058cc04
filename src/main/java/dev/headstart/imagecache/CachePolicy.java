package dev.headstart.imagecache;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What the planner is told: where shared cache pods live, the cap on cache pods per node, images
 * never cached, registries the nodes pull from with their own credentials, taints that do not count
 * against placement because they go away, what cache pods tolerate besides their workloads'
 * tolerations, and the platforms of images where known.
 *
 * <p>Patterns: excluded images, transient taint keys and platform keys are exact, or a prefix when
 * they end in {@code *}. Registry patterns are host names in which {@code *} stands for one DNS label
 * or part of one ({@code *.dkr.ecr.*.amazonaws.com}); a lone {@code *} matches every registry.
 *
 * <p>The {@code DEFAULT_*} constants are the controller's configuration defaults too
 * ({@code headstart.image-cache.*}), so the CLI and the controller plan alike.
 */
public record CachePolicy(String sharedNamespace, int maxPodsPerNode, List<String> excludedImages,
                          List<String> nodeCredentialRegistries, List<String> transientTaintKeys,
                          List<Toleration> cacheTolerations, Map<String, Set<String>> imageArchitectures) {

    public static final String DEFAULT_SHARED_NAMESPACE = "headstart-system";
    public static final int DEFAULT_MAX_PODS_PER_NODE = 3;
    /** For {@code @WithDefault}. */
    public static final String DEFAULT_MAX_PODS_PER_NODE_TEXT = "" + DEFAULT_MAX_PODS_PER_NODE;
    /** For {@code @WithDefault}: ECR (also China regions), ECR Public, the Kubernetes registry. */
    public static final String DEFAULT_NODE_CREDENTIAL_REGISTRIES_TEXT =
            "*.dkr.ecr.*.amazonaws.com,*.dkr.ecr.*.amazonaws.com.cn,public.ecr.aws,registry.k8s.io";
    public static final List<String> DEFAULT_NODE_CREDENTIAL_REGISTRIES =
            List.of(DEFAULT_NODE_CREDENTIAL_REGISTRIES_TEXT.split(","));
    /**
     * For {@code @WithDefault}: taints that come and go on their own (node conditions, cloud-provider
     * initialisation, scale-down in progress). The warm-up taint is added by {@link #tolerating}.
     */
    public static final String DEFAULT_TRANSIENT_TAINT_KEYS_TEXT = "node.kubernetes.io/*,"
            + "node.cloudprovider.kubernetes.io/uninitialized,ToBeDeletedByClusterAutoscaler,"
            + "karpenter.sh/disrupted,karpenter.sh/unregistered";
    public static final List<String> DEFAULT_TRANSIENT_TAINT_KEYS = List.of(DEFAULT_TRANSIENT_TAINT_KEYS_TEXT.split(","));
    /** Headstart's default warm-up taint ({@code headstart.warm-pool.taint}). */
    public static final Toleration DEFAULT_WARMUP_TOLERATION = new TolerationBuilder()
            .withKey("headstart.dev/warmup").withOperator("Equal").withValue("true").withEffect("NoSchedule").build();

    public CachePolicy {
        if (sharedNamespace == null || sharedNamespace.isBlank()) {
            throw new IllegalArgumentException("the shared namespace must not be empty");
        }
        sharedNamespace = sharedNamespace.trim();
        if (maxPodsPerNode < 1) {
            throw new IllegalArgumentException("max-pods-per-node must be at least 1, not " + maxPodsPerNode);
        }
        excludedImages = clean(excludedImages, false);
        nodeCredentialRegistries = clean(nodeCredentialRegistries, true);
        transientTaintKeys = clean(transientTaintKeys, false);
        cacheTolerations = cacheTolerations == null ? List.of()
                : cacheTolerations.stream().filter(Objects::nonNull).map(Placement::canonical).distinct().toList();
        TreeMap<String, Set<String>> platforms = new TreeMap<>();
        if (imageArchitectures != null) {
            imageArchitectures.forEach((image, archs) -> {
                if (image == null || image.isBlank() || archs == null) {
                    return;
                }
                SortedSet<String> set = new TreeSet<>();
                archs.stream().filter(a -> a != null && !a.isBlank()).map(a -> a.trim().toLowerCase(Locale.ROOT))
                        .forEach(set::add);
                if (!set.isEmpty()) {
                    platforms.merge(image.trim(), Collections.unmodifiableSortedSet(set), (a, b) -> {
                        SortedSet<String> union = new TreeSet<>(a);
                        union.addAll(b);
                        return Collections.unmodifiableSortedSet(union);
                    });
                }
            });
        }
        imageArchitectures = Collections.unmodifiableMap(platforms);
    }

    /** The controller's defaults, with Headstart's default warm-up taint. */
    public static CachePolicy defaults() {
        return new CachePolicy(DEFAULT_SHARED_NAMESPACE, DEFAULT_MAX_PODS_PER_NODE, List.of(),
                DEFAULT_NODE_CREDENTIAL_REGISTRIES, DEFAULT_TRANSIENT_TAINT_KEYS, List.of(), Map.of())
                .tolerating(DEFAULT_WARMUP_TOLERATION);
    }

    /**
     * This policy with cache pods tolerating one more taint (the warm-up taint: warm nodes fill
     * their cache), whose key then no longer counts against placement either.
     */
    public CachePolicy tolerating(Toleration toleration) {
        List<Toleration> tolerations = new ArrayList<>(cacheTolerations);
        tolerations.add(toleration);
        List<String> keys = new ArrayList<>(transientTaintKeys);
        if (toleration.getKey() != null && !toleration.getKey().isBlank() && !keys.contains(toleration.getKey())) {
            keys.add(toleration.getKey());
        }
        return new CachePolicy(sharedNamespace, maxPodsPerNode, excludedImages, nodeCredentialRegistries, keys,
                tolerations, imageArchitectures);
    }

    public CachePolicy withMaxPodsPerNode(int max) {
        return new CachePolicy(sharedNamespace, max, excludedImages, nodeCredentialRegistries, transientTaintKeys,
                cacheTolerations, imageArchitectures);
    }

    public CachePolicy withImageArchitectures(Map<String, Set<String>> platforms) {
        return new CachePolicy(sharedNamespace, maxPodsPerNode, excludedImages, nodeCredentialRegistries,
                transientTaintKeys, cacheTolerations, platforms);
    }

    /**
     * Taint keys the control plane and cloud providers set ({@code pkg/apis/core/well_known_taints.go}):
     * what a prefix pattern such as {@code node.kubernetes.io/*} stands for before any node shows one.
     */
    static final List<String> WELL_KNOWN_TAINT_KEYS = List.of("node.kubernetes.io/not-ready",
            "node.kubernetes.io/unreachable", "node.kubernetes.io/unschedulable", "node.kubernetes.io/memory-pressure",
            "node.kubernetes.io/disk-pressure", "node.kubernetes.io/network-unavailable", "node.kubernetes.io/pid-pressure",
            "node.kubernetes.io/out-of-service", "node.cloudprovider.kubernetes.io/uninitialized",
            "node.cloudprovider.kubernetes.io/shutdown");

    /**
     * What cache pods tolerate so that they land wherever the plan ignores a taint as transient: one
     * {@code Exists} toleration (any value, any effect) per transient key, a prefix pattern standing
     * for the well-known keys and the keys on {@code nodes} it matches; plus the configured cache
     * tolerations whose key is not among them. Plan and cache pods then agree on every such node.
     */
    public List<Toleration> transientTolerations(Collection<NodeFacts> nodes) {
        TreeSet<String> keys = new TreeSet<>();
        for (String pattern : transientTaintKeys) {
            if (!pattern.endsWith("*")) {
                keys.add(pattern);
            }
        }
        WELL_KNOWN_TAINT_KEYS.stream().filter(this::transientTaint).forEach(keys::add);
        for (NodeFacts node : nodes) {
            node.taints().stream().map(Taint::getKey).filter(this::transientTaint).forEach(keys::add);
        }
        List<Toleration> tolerations = new ArrayList<>();
        keys.forEach(key -> tolerations.add(new TolerationBuilder().withKey(key).withOperator("Exists").build()));
        cacheTolerations.stream().filter(t -> t.getKey() == null || !keys.contains(t.getKey())).forEach(tolerations::add);
        return tolerations;
    }

    /** Never cached: an exact reference, or a prefix ending in {@code *}. */
    public boolean excluded(String image) {
        return excludedImages.stream().anyMatch(pattern -> prefixMatch(pattern, image));
    }

    /** A taint with this key does not count against placement: it goes away on its own. */
    public boolean transientTaint(String key) {
        return key != null && transientTaintKeys.stream().anyMatch(pattern -> prefixMatch(pattern, key));
    }

    /** The image's registry gives it to nodes with their own credentials (ECR on EKS, public registries). */
    public boolean pulledWithNodeCredentials(String image) {
        String registry = ImageRegistry.of(image);
        int colon = registry.indexOf(':');
        String host = colon < 0 ? registry : registry.substring(0, colon);
        return nodeCredentialRegistries.stream().anyMatch(pattern -> hostMatch(pattern, registry) || hostMatch(pattern, host));
    }

    /**
     * The architectures the image is known to run on, empty when unknown: the entry naming the
     * image exactly, else the longest prefix pattern that matches it.
     */
    public Set<String> architectures(String image) {
        Set<String> exact = imageArchitectures.get(image);
        if (exact != null) {
            return exact;
        }
        String best = null;
        for (String pattern : imageArchitectures.keySet()) {
            if (pattern.endsWith("*") && prefixMatch(pattern, image) && (best == null || pattern.length() > best.length())) {
                best = pattern;
            }
        }
        return best == null ? Set.of() : imageArchitectures.get(best);
    }

    /**
     * Parses {@code pattern=arch,arch} entries ({@code headstart.image-cache.platforms},
     * {@code --platform}); a malformed entry throws with a one-line reason.
     */
    public static Map<String, Set<String>> parsePlatforms(List<String> entries) {
        TreeMap<String, Set<String>> platforms = new TreeMap<>();
        for (String entry : entries == null ? List.<String>of() : entries) {
            if (entry == null || entry.isBlank()) {
                continue;
            }
            int eq = entry.lastIndexOf('=');
            String image = eq < 0 ? "" : entry.substring(0, eq).trim();
            List<String> archs = eq < 0 ? List.of() : Arrays.stream(entry.substring(eq + 1).split(","))
                    .map(String::trim).filter(a -> !a.isEmpty()).toList();
            if (image.isEmpty() || archs.isEmpty()) {
                throw new IllegalArgumentException("a platform entry must look like image-or-prefix*=amd64,arm64, not '"
                        + entry.trim() + "'");
            }
            platforms.computeIfAbsent(image, k -> new TreeSet<>()).addAll(archs);
        }
        return platforms;
    }

    private static boolean prefixMatch(String pattern, String value) {
        return pattern.endsWith("*") ? value.startsWith(pattern.substring(0, pattern.length() - 1)) : pattern.equals(value);
    }

    private static boolean hostMatch(String pattern, String host) {
        if (pattern.equals("*")) {
            return true;
        }
        StringBuilder regex = new StringBuilder();
        for (String part : pattern.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append("[^./]+");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE).matcher(host).matches();
    }

    private static List<String> clean(List<String> values, boolean lowerCase) {
        if (values == null) {
            return List.of();
        }
        return values.stream().filter(v -> v != null && !v.isBlank())
                .map(v -> lowerCase ? v.trim().toLowerCase(Locale.ROOT) : v.trim()).distinct().toList();
    }
}
