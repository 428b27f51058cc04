package dev.headstart.controller.imagecache;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.headstart.controller.imagecache.ImageCacheFixtures.SETTINGS;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

class ImageCacheDaemonSetTest {

    static DaemonSet build(List<String> images, List<String> secrets) {
        return ImageCacheDaemonSet.build("shop",
                ImageCachePlan.of(List.of(spec(images, List.of(), secrets, List.of())), SETTINGS), SETTINGS);
    }

    @Test
    void oneInitContainerPerImageRunningTheNoopFromTheSharedEmptyDir() {
        DaemonSet ds = build(List.of("nginx:1.27", "app:2.0"), List.of("regcred"));
        PodSpec pod = ds.getSpec().getTemplate().getSpec();

        assertThat(pod.getInitContainers()).extracting(Container::getName)
                .containsExactly("headstart-noop-installer", "cache-0", "cache-1");
        Container installer = pod.getInitContainers().get(0);
        assertThat(installer.getImage()).isEqualTo("busybox:1.36.1-musl");
        assertThat(installer.getCommand()).containsExactly("/bin/cp", "/bin/true", "/headstart/true");
        assertThat(installer.getVolumeMounts()).singleElement()
                .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/headstart"));

        assertThat(pod.getInitContainers().subList(1, 3)).extracting(Container::getImage).containsExactly("app:2.0", "nginx:1.27");
        assertThat(pod.getInitContainers().subList(1, 3)).allSatisfy(c -> {
            assertThat(c.getCommand()).containsExactly("/headstart/true");
            assertThat(c.getArgs()).isEmpty();
            assertThat(c.getImagePullPolicy()).isEqualTo("IfNotPresent");
            assertThat(c.getVolumeMounts()).singleElement().satisfies(m -> {
                assertThat(m.getName()).isEqualTo(pod.getVolumes().get(0).getName());
                assertThat(m.getReadOnly()).isTrue();
            });
            assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        });
        assertThat(pod.getVolumes().get(0).getEmptyDir()).isNotNull();
        assertThat(pod.getContainers()).singleElement().satisfies(c ->
                assertThat(c.getImage()).isEqualTo("registry.k8s.io/pause:3.10"));
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getNodeSelector()).isEqualTo(java.util.Map.of("kubernetes.io/os", "linux"));
        assertThat(pod.getImagePullSecrets()).extracting(r -> r.getName()).containsExactly("regcred");
        assertThat(pod.getTolerations()).extracting(Toleration::getKey).containsExactly("headstart.dev/warmup");
    }

    @Test
    void labelledAndSkippedSoHeadstartsWebhookLeavesItAlone() {
        DaemonSet ds = build(List.of("a:1"), List.of());

        assertThat(ds.getMetadata().getName()).isEqualTo("headstart-image-cache");
        assertThat(ds.getMetadata().getNamespace()).isEqualTo("shop");
        assertThat(ds.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "headstart");
        assertThat(ds.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "headstart");
        assertThat(ds.getMetadata().getAnnotations()).containsEntry("headstart.dev/skip", "all");
        assertThat(ds.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("headstart.dev/skip", "all")
                .containsEntry(ImageCacheDaemonSet.IMAGES_ANNOTATION, "a:1");
        assertThat(ds.getSpec().getSelector().getMatchLabels())
                .isEqualTo(java.util.Map.of("app.kubernetes.io/name", "headstart-image-cache"));
        assertThat(ImageCacheDaemonSet.isOurs(ds)).isTrue();
    }

    @Test
    void hashFollowsTheTemplateOnly() {
        assertThat(ImageCacheDaemonSet.hashOf(build(List.of("a:1", "b:1"), List.of())))
                .isEqualTo(ImageCacheDaemonSet.hashOf(build(List.of("b:1", "a:1", "a:1"), List.of())))
                .isNotEqualTo(ImageCacheDaemonSet.hashOf(build(List.of("a:1", "b:2"), List.of())))
                .isNotEqualTo(ImageCacheDaemonSet.hashOf(build(List.of("a:1", "b:1"), List.of("regcred"))));
    }
}
