package dev.headstart.imagecache;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

class CachePolicyTest {

    static final CachePolicy DEFAULTS = CachePolicy.defaults();

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1, true",
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1, true",
            "123456789012.DKR.ECR.us-east-1.amazonaws.com/app:1, true",
            "public.ecr.aws/nginx/nginx:1.27, true",
            "registry.k8s.io/pause:3.10, true",
            "nginx:1.27, false",
            "docker.io/library/nginx:1.27, false",
            "ghcr.io/acme/app:1, false",
            "evil.example/123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1, false",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example/app:1, false",
            "a.b.dkr.ecr.us-east-1.amazonaws.com/app:1, false",
            "registry.k8s.io.evil.example/pause:3.10, false"})
    void nodeCredentialRegistriesByDefault(String image, boolean expected) {
        assertEquals(expected, DEFAULTS.pulledWithNodeCredentials(image), image);
    }

    @Test
    void registryPatternsMayNameAPortAndALoneStarMatchesAll() {
        CachePolicy local = new CachePolicy("hs", 3, List.of(), List.of("registry.local:5000", "*.internal"), List.of(), List.of(), Map.of());
        assertThat(local.pulledWithNodeCredentials("registry.local:5000/app:1")).isTrue();
        assertThat(local.pulledWithNodeCredentials("mirror.internal/app:1")).isTrue();
        assertThat(local.pulledWithNodeCredentials("mirror.internal:443/app:1")).isTrue();
        assertThat(local.pulledWithNodeCredentials("registry.local:5001/app:1")).isFalse();
        CachePolicy all = new CachePolicy("hs", 3, List.of(), List.of("*"), List.of(), List.of(), Map.of());
        assertThat(all.pulledWithNodeCredentials("nginx:1")).isTrue();
    }

    @Test
    void excludedImagesAndTransientKeysAreExactOrPrefixes() {
        CachePolicy policy = new CachePolicy("hs", 3, List.of("debug:*", "huge:1"), List.of(), List.of("node.kubernetes.io/*", "x"),
                List.of(), Map.of());
        assertThat(policy.excluded("debug:latest")).isTrue();
        assertThat(policy.excluded("huge:1")).isTrue();
        assertThat(policy.excluded("huge:2")).isFalse();
        assertThat(policy.transientTaint("node.kubernetes.io/not-ready")).isTrue();
        assertThat(policy.transientTaint("x")).isTrue();
        assertThat(policy.transientTaint("xy")).isFalse();
        assertThat(policy.transientTaint(null)).isFalse();
    }

    @Test
    void platformsExactBeforeTheLongestPrefix() {
        CachePolicy policy = DEFAULTS.withImageArchitectures(CachePolicy.parsePlatforms(List.of(
                "ghcr.io/acme/*=amd64,arm64", "ghcr.io/acme/gpu-*=amd64", "ghcr.io/acme/gpu-arm:1 = arm64")));
        assertThat(policy.architectures("ghcr.io/acme/web:1")).containsExactly("amd64", "arm64");
        assertThat(policy.architectures("ghcr.io/acme/gpu-train:1")).containsExactly("amd64");
        assertThat(policy.architectures("ghcr.io/acme/gpu-arm:1")).containsExactly("arm64");
        assertThat(policy.architectures("nginx:1")).isEmpty();
    }

    @Test
    void badSettingsSayWhatIsWrongOnOneLine() {
        assertThatThrownBy(() -> CachePolicy.parsePlatforms(List.of("ghcr.io/acme/*")))
                .hasMessage("a platform entry must look like image-or-prefix*=amd64,arm64, not 'ghcr.io/acme/*'");
        assertThatThrownBy(() -> CachePolicy.parsePlatforms(List.of("=amd64"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DEFAULTS.withMaxPodsPerNode(0)).hasMessage("max-pods-per-node must be at least 1, not 0");
    }

    @Test
    void defaultsAreTheControllersAndTolerateTheWarmupTaint() {
        assertThat(DEFAULTS.sharedNamespace()).isEqualTo("headstart-system");
        assertThat(DEFAULTS.maxPodsPerNode()).isEqualTo(3);
        assertThat(CachePolicy.DEFAULT_MAX_PODS_PER_NODE_TEXT).isEqualTo("3");
        assertThat(DEFAULTS.nodeCredentialRegistries()).containsExactly("*.dkr.ecr.*.amazonaws.com",
                "*.dkr.ecr.*.amazonaws.com.cn", "public.ecr.aws", "registry.k8s.io");
        assertThat(DEFAULTS.transientTaintKeys()).containsExactly("node.kubernetes.io/*",
                "node.cloudprovider.kubernetes.io/uninitialized", "ToBeDeletedByClusterAutoscaler", "karpenter.sh/disrupted",
                "karpenter.sh/unregistered", "headstart.dev/warmup");
        assertThat(DEFAULTS.cacheTolerations()).containsExactly(PlanFixtures.toleration("headstart.dev/warmup", "Equal", "true", "NoSchedule"));
        assertThat(DEFAULTS.imageArchitectures()).isEmpty();
        assertThat(DEFAULTS.withImageArchitectures(Map.of("a:1", Set.of("ARM64 "))).architectures("a:1")).containsExactly("arm64");
    }
}
