package dev.headstart.controller.imagecache;

import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.headstart.controller.imagecache.ImageCacheFixtures.SETTINGS;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

class ImageCachePlanTest {

    static Toleration toleration(String key, String operator, String value, String effect) {
        return new TolerationBuilder().withKey(key).withOperator(operator).withValue(value).withEffect(effect).build();
    }

    @Test
    void imagesAreDeduplicatedSortedAndIncludeInitContainers() {
        ImageCachePlan plan = ImageCachePlan.of(List.of(
                spec(List.of("nginx:1.27", "app:2.0"), List.of("migrate:2.0"), List.of(), List.of()),
                spec(List.of(" app:2.0 ", "redis:7"), List.of(), List.of(), List.of())), SETTINGS);

        assertThat(plan.images()).containsExactly("app:2.0", "migrate:2.0", "nginx:1.27", "redis:7");
    }

    @Test
    void orderDoesNotDependOnWorkloadOrder() {
        var a = spec(List.of("b:1", "a:1"), List.of(), List.of("s2"), List.of(toleration("x", "Exists", null, "NoSchedule")));
        var b = spec(List.of("c:1"), List.of(), List.of("s1"), List.of(toleration("g", "Equal", "v", "NoSchedule")));
        assertThat(ImageCachePlan.of(List.of(a, b), SETTINGS)).isEqualTo(ImageCachePlan.of(List.of(b, a), SETTINGS));
    }

    @Test
    void excludedImagesExactAndPrefixAreLeftOut() {
        ImageCachePlan plan = ImageCachePlan.of(List.of(spec(
                List.of("registry.example.com/huge/model:1", "registry.example.com/hugely:1", "debug:latest", "debug:1"),
                List.of(), List.of(), List.of())), SETTINGS);

        assertThat(plan.images()).containsExactly("debug:1", "registry.example.com/hugely:1");
    }

    @Test
    void pullSecretsAreTheUnion() {
        ImageCachePlan plan = ImageCachePlan.of(List.of(
                spec(List.of("a:1"), List.of(), List.of("regcred", "ecr"), List.of()),
                spec(List.of("b:1"), List.of(), List.of("regcred"), List.of())), SETTINGS);

        assertThat(plan.pullSecrets()).containsExactly("ecr", "regcred");
    }

    @Test
    void toleratesWarmupTaintAndTheNoScheduleTaintsWorkloadsTolerate() {
        ImageCachePlan plan = ImageCachePlan.of(List.of(
                spec(List.of("a:1"), List.of(), List.of(), List.of(
                        toleration("gpu", "Exists", null, "NoSchedule"),
                        toleration("dedicated", "Equal", "batch", null),
                        toleration("node.kubernetes.io/not-ready", "Exists", null, "NoExecute"),
                        toleration("soft", "Exists", null, "PreferNoSchedule"))),
                spec(List.of("b:1"), List.of(), List.of(), List.of(toleration("gpu", "Exists", null, "NoSchedule")))),
                SETTINGS);

        assertThat(plan.tolerations()).containsExactly(
                toleration("dedicated", "Equal", "batch", "NoSchedule"),
                toleration("gpu", "Exists", null, "NoSchedule"),
                toleration("headstart.dev/warmup", "Equal", "true", "NoSchedule"));
    }

    @Test
    void noWorkloadsMeansEmpty() {
        assertThat(ImageCachePlan.of(List.of(), SETTINGS).isEmpty()).isTrue();
    }
}
