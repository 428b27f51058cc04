package dev.headstart.controller.imagecache;

import dev.headstart.imagecache.CacheGroup;
import dev.headstart.imagecache.CacheMembership;
import dev.headstart.imagecache.CachePlan;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.headstart.controller.imagecache.ImageCacheFixtures.SETTINGS;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.deployment;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.group;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.linuxNode;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.plan;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

class ImageCacheDaemonSetTest {

    @Test
    void eachImageIsARegularContainerSleepingOnTheCopiedBusyboxWithNothingReserved() {
        CacheGroup group = group(List.of("nginx:1.27", "app:2.0"), List.of());
        DaemonSet ds = ImageCacheDaemonSet.build(group, SETTINGS);
        PodSpec pod = ds.getSpec().getTemplate().getSpec();

        assertThat(pod.getInitContainers()).extracting(Container::getName).containsExactly("headstart-noop-installer");
        Container installer = pod.getInitContainers().get(0);
        assertThat(installer.getImage()).isEqualTo("busybox:1.36.1-musl");
        assertThat(installer.getCommand()).containsExactly("/bin/cp", "/bin/sleep", "/headstart/sleep");
        assertThat(installer.getVolumeMounts()).singleElement()
                .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/headstart"));

        assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("cache-0", "cache-1");
        assertThat(pod.getContainers()).extracting(Container::getImage).containsExactlyElementsOf(group.images());
        assertThat(pod.getContainers()).allSatisfy(c -> {
            assertThat(c.getCommand()).containsExactly("/headstart/sleep", "2147483647");
            assertThat(c.getArgs()).isEmpty();
            assertThat(c.getImagePullPolicy()).isEqualTo("IfNotPresent");
            assertThat(c.getVolumeMounts()).singleElement().satisfies(m -> {
                assertThat(m.getName()).isEqualTo(pod.getVolumes().get(0).getName());
                assertThat(m.getReadOnly()).isTrue();
            });
            assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
            // An explicit 0, or the API server would default the request to the limit.
            assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("0"))
                    .containsEntry("memory", new Quantity("0"));
            assertThat(c.getResources().getLimits()).containsEntry("memory", new Quantity("16Mi"));
        });
        assertThat(ds.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(ImageCacheDaemonSet.IMAGES_ANNOTATION, String.join("\n", group.images()));
        assertThat(pod.getVolumes().get(0).getEmptyDir()).isNotNull();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/os", "linux");
        assertThat(pod.getImagePullSecrets()).isEmpty();
        assertThat(pod.getTolerations()).extracting(Toleration::getKey).contains("headstart.dev/warmup");
        // Never waits for readiness: a pod with an image in back-off is never Ready.
        assertThat(ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable().getStrVal()).isEqualTo("100%");
    }

    @Test
    void namedAndLabelledByItsGroupAndSkippedByHeadstartsWebhook() {
        CacheGroup group = group(List.of("a:1"), List.of());
        DaemonSet ds = ImageCacheDaemonSet.build(group, SETTINGS);

        assertThat(ds.getMetadata().getName()).isEqualTo("headstart-image-cache-" + group.id());
        assertThat(ds.getMetadata().getNamespace()).isEqualTo(group.namespace());
        Map<String, String> labels = Map.of("app.kubernetes.io/name", "headstart-image-cache",
                "app.kubernetes.io/managed-by", "headstart", "headstart.dev/image-cache-group", group.id());
        assertThat(ds.getMetadata().getLabels()).containsAllEntriesOf(labels);
        assertThat(ds.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(labels);
        assertThat(ds.getMetadata().getAnnotations()).containsEntry("headstart.dev/skip", "all");
        assertThat(ds.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("headstart.dev/skip", "all")
                .containsEntry(ImageCacheDaemonSet.IMAGES_ANNOTATION, "a:1")
                .containsEntry(ImageCacheDaemonSet.HASH_ANNOTATION, ImageCacheDaemonSet.hashOf(ds));
        assertThat(ds.getSpec().getSelector().getMatchLabels()).isEqualTo(Map.of(
                "app.kubernetes.io/name", "headstart-image-cache", "headstart.dev/image-cache-group", group.id()));
        assertThat(ImageCacheDaemonSet.isOurs(ds)).isTrue();
    }

    @Test
    void aNamespaceGroupCarriesItsPullSecretsAndTheGroupsPlacement() {
        Toleration gpu = new TolerationBuilder().withKey("nvidia.com/gpu").withOperator("Exists").withEffect("NoSchedule").build();
        var templates = List.of(deployment("shop", "train", spec(List.of("private.example.com/train:1"), List.of(),
                List.of("regcred"), List.of(gpu))));
        var withSelector = new io.fabric8.kubernetes.api.model.PodSpecBuilder(templates.get(0).spec())
                .withNodeSelector(Map.of("pool", "gpu")).build();
        CachePlan plan = plan(SETTINGS, List.of(deployment("shop", "train", withSelector)),
                List.of(linuxNode("g1", Map.of("pool", "gpu")), linuxNode("c1", Map.of("pool", "cpu"))));
        CacheGroup group = plan.groups().get(0);
        DaemonSet ds = ImageCacheDaemonSet.build(group, SETTINGS);
        PodSpec pod = ds.getSpec().getTemplate().getSpec();

        assertThat(group.shared()).isFalse();
        assertThat(ds.getMetadata().getNamespace()).isEqualTo("shop");
        assertThat(pod.getImagePullSecrets()).extracting(r -> r.getName()).containsExactly("regcred");
        assertThat(pod.getNodeSelector()).containsEntry("pool", "gpu").containsEntry("kubernetes.io/os", "linux");
        assertThat(pod.getTolerations()).extracting(Toleration::getKey).contains("nvidia.com/gpu", "headstart.dev/warmup");
        assertThat(pod.getAffinity()).isEqualTo(group.affinity());
    }

    @Test
    void overCapNodesAreLeftOutByLabelNotByName() {
        ImageCacheSettings one = SETTINGS.withMaxPodsPerNode(1);
        CachePlan plan = plan(one, List.of(
                        deployment("shop", "web", spec(List.of("web:1"), List.of(), List.of(), List.of())),
                        deployment("shop", "api", spec(List.of("private.example.com/api:1"), List.of(), List.of("regcred"), List.of()))),
                List.of(linuxNode("n1", Map.of())));
        assertThat(plan.overCapByNode()).containsOnlyKeys("n1");
        CacheGroup left = plan.groups().stream().filter(g -> !g.excludedNodes().isEmpty()).findFirst().orElseThrow();
        DaemonSet ds = ImageCacheDaemonSet.build(left, one);

        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        assertThat(pod.getNodeSelector()).containsEntry(CacheMembership.label(left.id()), "true");
        assertThat(pod.getAffinity()).isNull();
        assertThat(plan.groupsByNode().get("n1")).doesNotContain(left.id());
    }

    @Test
    void hashFollowsTheTemplateOnly() {
        assertThat(ImageCacheDaemonSet.hashOf(ImageCacheDaemonSet.build(group(List.of("a:1", "b:1"), List.of()), SETTINGS)))
                .isEqualTo(ImageCacheDaemonSet.hashOf(ImageCacheDaemonSet.build(group(List.of("b:1", "a:1", "a:1"), List.of()), SETTINGS)))
                .isNotEqualTo(ImageCacheDaemonSet.hashOf(ImageCacheDaemonSet.build(group(List.of("a:1", "b:2"), List.of()), SETTINGS)));
    }
}
