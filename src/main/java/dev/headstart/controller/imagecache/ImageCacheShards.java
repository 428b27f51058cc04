package dev.headstart.controller.imagecache;

import dev.headstart.imagecache.CacheGroup;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a group's images over as many DaemonSets ("shards") as keep each pod template under
 * {@link #MAX_TEMPLATE_BYTES} of JSON (every image is a container of about 400 bytes, so one
 * DaemonSet of 170 images is 72 KB, and the API server stores a ControllerRevision of the template
 * with every change). All shards carry the group's node selector, affinity and tolerations, so they
 * land on exactly the group's nodes; the plan, the per-node cap and completion know only the group.
 *
 * <p>An image's shard is a hash of its name modulo the shard count, and the count is a power of two
 * chosen from the image count ({@link #TARGET_IMAGES_PER_SHARD} on average): adding or removing an
 * image rewrites only its own shard's template, until the count crosses a power of two (then every
 * shard is rewritten once). The target leaves room for uneven buckets; should one still be too
 * large, the count doubles until each fits. A group of up to {@value #TARGET_IMAGES_PER_SHARD}
 * images is one DaemonSet exactly as before sharding (same name, labels and selector).
 */
public final class ImageCacheShards {

    /** Under 16 KiB per template. */
    public static final int MAX_TEMPLATE_BYTES = 16 * 1024;
    static final int TARGET_IMAGES_PER_SHARD = 16;

    private ImageCacheShards() {
    }

    /** The group's DaemonSets, one per non-empty shard, in shard order. */
    public static List<DaemonSet> build(CacheGroup group, ImageCacheSettings settings) {
        int images = group.images().size();
        int count = 1;
        while (count * TARGET_IMAGES_PER_SHARD < images) {
            count *= 2;
        }
        while (true) {
            List<DaemonSet> shards = build(group, settings, count);
            boolean fits = shards.stream().allMatch(ds -> templateBytes(ds) < MAX_TEMPLATE_BYTES);
            if (fits || count >= images) {
                return shards;
            }
            count *= 2;
        }
    }

    private static List<DaemonSet> build(CacheGroup group, ImageCacheSettings settings, int count) {
        if (count == 1) {
            return List.of(ImageCacheDaemonSet.build(group, settings));
        }
        List<List<String>> buckets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            buckets.add(new ArrayList<>());
        }
        for (String image : group.images()) {
            buckets.get(bucket(image, count)).add(image);
        }
        List<DaemonSet> shards = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (buckets.get(i).isEmpty()) {
                continue;
            }
            CacheGroup shard = new CacheGroup(group.id(), group.namespace(), group.shared(), group.placement(),
                    group.pullSecrets(), buckets.get(i), group.workloads(), group.excludedNodes(), group.demand());
            shards.add(ImageCacheDaemonSet.build(shard, settings, i + "of" + count));
        }
        return shards;
    }

    /** Bytes of the pod template as JSON: what the DaemonSet and each ControllerRevision store. */
    public static int templateBytes(DaemonSet daemonSet) {
        return Serialization.asJson(daemonSet.getSpec().getTemplate()).getBytes(StandardCharsets.UTF_8).length;
    }

    static int bucket(String image, int count) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(image.getBytes(StandardCharsets.UTF_8));
            int value = ((digest[0] & 0xff) << 24) | ((digest[1] & 0xff) << 16) | ((digest[2] & 0xff) << 8) | (digest[3] & 0xff);
            return Math.floorMod(value, count);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
