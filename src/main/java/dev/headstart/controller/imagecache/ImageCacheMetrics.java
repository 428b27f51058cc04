package dev.headstart.controller.imagecache;

import dev.headstart.imagecache.ImageState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code headstart_image_cache_images{state="cached|pending|failed"}}: (node, image) pairs the plan
 * puts on a node, by state, from the cache pods' container statuses; and
 * {@code headstart_image_cache_over_cap_nodes}: nodes on which some group did not fit under
 * {@code headstart.image-cache.max-pods-per-node}. Both 0 on standbys and after leadership is lost.
 */
public final class ImageCacheMetrics {

    private final Map<ImageState, AtomicLong> images = new EnumMap<>(ImageState.class);
    private final AtomicLong overCapNodes = new AtomicLong();

    public ImageCacheMetrics(MeterRegistry registry) {
        for (ImageState state : ImageState.values()) {
            AtomicLong value = new AtomicLong();
            images.put(state, value);
            Gauge.builder("headstart.image.cache.images", value, AtomicLong::get)
                    .description("Images the image cache plans on nodes, one per (node, image), by state")
                    .tag("state", state.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        Gauge.builder("headstart.image.cache.over.cap.nodes", overCapNodes, AtomicLong::get)
                .description("Nodes where some image-cache group did not fit under max-pods-per-node")
                .register(registry);
    }

    public void images(Map<ImageState, Long> counts) {
        images.forEach((state, value) -> value.set(counts.getOrDefault(state, 0L)));
    }

    public void overCapNodes(long nodes) {
        overCapNodes.set(nodes);
    }

    public void reset() {
        images.values().forEach(v -> v.set(0));
        overCapNodes.set(0);
    }
}
