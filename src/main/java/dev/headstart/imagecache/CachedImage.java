package dev.headstart.imagecache;

import java.time.Instant;

/**
 * One image of a cache pod: its state, since when it is cached (CACHED only), and for PENDING and
 * FAILED the kubelet's reason and message when it gave them.
 */
public record CachedImage(String image, ImageState state, Instant since, String reason, String message) {
}
