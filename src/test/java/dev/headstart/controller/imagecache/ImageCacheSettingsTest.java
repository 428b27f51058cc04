package dev.headstart.controller.imagecache;

import dev.headstart.imagecache.CachedImage;
import dev.headstart.imagecache.ImageState;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.headstart.controller.imagecache.ImageCacheFixtures.SETTINGS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Configuration of the image cache, and how failures and platforms are read. */
class ImageCacheSettingsTest {

    @Test
    void platformsAreSemicolonSeparatedPatternsAndABadEntryIsNamed() {
        assertThat(ImageCacheSettings.parsePlatforms("registry.example.com/gpu/*=amd64; ghcr.io/acme/tool:1.2=amd64,arm64;"))
                .isEqualTo(Map.of("registry.example.com/gpu/*", Set.of("amd64"), "ghcr.io/acme/tool:1.2", Set.of("amd64", "arm64")));
        assertThat(ImageCacheSettings.parsePlatforms("")).isEmpty();
        assertThatThrownBy(() -> ImageCacheSettings.parsePlatforms("a/*=amd64;oops"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("headstart.image-cache.platforms").hasMessageContaining("oops")
                .hasMessageNotContaining("\n");
    }

    @Test
    void thePolicyToleratesTheWarmUpTaintAndIgnoresItForPlacement() {
        var policy = SETTINGS.policy();
        assertThat(policy.transientTaint("headstart.dev/warmup")).isTrue();
        assertThat(policy.transientTaint("node.kubernetes.io/not-ready")).isTrue();
        assertThat(policy.cacheTolerations()).extracting(t -> t.getKey()).contains("headstart.dev/warmup");
        assertThat(policy.maxPodsPerNode()).isEqualTo(3);
        assertThat(policy.excluded("registry.example.com/huge/model:1")).isTrue();
    }

    @Test
    void aPlatformFailureIsLearntAndLeavesTheOtherArchitectures() {
        KnownPlatforms platforms = new KnownPlatforms();
        assertThat(KnownPlatforms.platformFailure("failed to pull and unpack image \"x:1\": no match for platform in manifest: not found")).isTrue();
        assertThat(KnownPlatforms.platformFailure("no matching manifest for linux/arm64/v8 in the manifest list entries")).isTrue();
        assertThat(KnownPlatforms.platformFailure("Back-off pulling image \"x:1\"")).isFalse();
        assertThat(platforms.learnNotOn("x:1", "arm64")).isTrue();
        assertThat(platforms.learnNotOn("x:1", "arm64")).isFalse();

        var learned = platforms.learned(SETTINGS.policy(), List.of("x:1", "y:1"), Set.of("amd64", "arm64"));
        assertThat(learned.architectures()).isEqualTo(Map.of("x:1", Set.of("amd64")));
        assertThat(learned.nowhere()).isEmpty();

        platforms.learnNotOn("x:1", "amd64");
        assertThat(platforms.learned(SETTINGS.policy(), List.of("x:1"), Set.of("amd64", "arm64")).nowhere())
                .containsExactly("x:1");
    }

    @Test
    void aFailureIsSummedUpWithItsMostCommonReasonAndATellingMessage() {
        FailedImage failed = ImageCacheStatusPass.summarize("shop/gone:404", Set.of("n1", "n2", "n3"), List.of(
                new CachedImage("shop/gone:404", ImageState.FAILED, null, "ImagePullBackOff", "Back-off pulling image \"shop/gone:404\""),
                new CachedImage("shop/gone:404", ImageState.FAILED, null, "ErrImagePull", "rpc error: not found"),
                new CachedImage("shop/gone:404", ImageState.FAILED, null, "ImagePullBackOff", "Back-off pulling image \"shop/gone:404\"")));
        assertThat(failed.describe())
                .isEqualTo("shop/gone:404 could not be cached on 3 nodes: ImagePullBackOff (rpc error: not found)");
    }
}
