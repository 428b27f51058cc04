package dev.headstart.controller.imagecache;

import dev.headstart.config.HeadstartConfig;
import dev.headstart.controller.warmpool.WarmupTaint;

import java.time.Duration;
import java.util.List;

/** What the image-cache plan and DaemonSet need from configuration. */
public record ImageCacheSettings(
        String noopImage,
        String pauseImage,
        List<String> exclude,
        WarmupTaint warmupTaint,
        Duration debounce) {

    public static ImageCacheSettings from(HeadstartConfig config) {
        HeadstartConfig.ImageCache cache = config.imageCache();
        return new ImageCacheSettings(
                cache.noopImage().trim(),
                cache.pauseImage().trim(),
                cache.exclude().orElse(List.of()).stream().map(String::trim).filter(s -> !s.isEmpty()).toList(),
                WarmupTaint.parse(config.warmPool().taint()),
                Duration.ofMillis(Math.max(0, cache.debounceMillis())));
    }

    /** Exact reference, or a prefix when the pattern ends in {@code *}. */
    public boolean excluded(String image) {
        for (String pattern : exclude) {
            if (pattern.endsWith("*")
                    ? image.startsWith(pattern.substring(0, pattern.length() - 1))
                    : image.equals(pattern)) {
                return true;
            }
        }
        return false;
    }
}
