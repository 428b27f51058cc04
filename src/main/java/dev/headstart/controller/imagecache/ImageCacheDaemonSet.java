package dev.headstart.controller.imagecache;

import dev.headstart.rules.Annotations;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@code headstart-image-cache} DaemonSet of one namespace from its {@link ImageCachePlan}.
 * Each image becomes an init container ({@code cache-0}, {@code cache-1}, …) that runs a static
 * no-op binary from a shared emptyDir instead of the image's own entrypoint, so the kubelet pulls
 * the image without running it, and images without a shell work. The main container is pause.
 */
public final class ImageCacheDaemonSet {

    public static final String NAME = "headstart-image-cache";
    public static final String NAME_LABEL = "app.kubernetes.io/name";
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "headstart";
    /** The cached images, one per line, in init-container order; on the DaemonSet and its pods. */
    public static final String IMAGES_ANNOTATION = "headstart.dev/image-cache-images";
    /** A digest of the pod template: the reconciler updates the DaemonSet only when it changes. */
    public static final String HASH_ANNOTATION = "headstart.dev/image-cache-hash";
    public static final String INSTALLER = "headstart-noop-installer";
    public static final String CACHE_PREFIX = "cache-";
    /** Busybox dispatches on argv[0], so the copied binary must keep the name {@code true}. */
    static final String NOOP_DIR = "/headstart";
    static final String NOOP = NOOP_DIR + "/true";
    static final String VOLUME = "noop";
    static final long NOBODY = 65534L;

    private ImageCacheDaemonSet() {
    }

    public static DaemonSet build(String namespace, ImageCachePlan plan, ImageCacheSettings settings) {
        Map<String, String> labels = labels();
        String images = String.join("\n", plan.images());
        PodTemplateSpec template = new PodTemplateSpecBuilder()
                .withNewMetadata()
                    .withLabels(labels)
                    .withAnnotations(Map.of(Annotations.SKIP, "all", IMAGES_ANNOTATION, images))
                .endMetadata()
                .withNewSpec()
                    // The no-op and pause are Linux binaries.
                    .withNodeSelector(Map.of("kubernetes.io/os", "linux"))
                    .withAutomountServiceAccountToken(false)
                    .withEnableServiceLinks(false)
                    .withTerminationGracePeriodSeconds(1L)
                    .withImagePullSecrets(plan.pullSecrets().stream().map(LocalObjectReference::new).toList())
                    .withTolerations(plan.tolerations())
                    .withNewSecurityContext()
                        .withRunAsNonRoot(true)
                        .withRunAsUser(NOBODY)
                        .withRunAsGroup(NOBODY)
                        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                    .endSecurityContext()
                    .addNewVolume()
                        .withName(VOLUME)
                        .withNewEmptyDir().withSizeLimit(new Quantity("16Mi")).endEmptyDir()
                    .endVolume()
                    .withInitContainers(initContainers(plan, settings))
                    .withContainers(new ContainerBuilder()
                            .withName("pause")
                            .withImage(settings.pauseImage())
                            .withImagePullPolicy("IfNotPresent")
                            .withResources(resources())
                            .withSecurityContext(restricted())
                            .build())
                .endSpec()
                .build();

        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(Annotations.SKIP, "all");
        annotations.put(IMAGES_ANNOTATION, images);
        annotations.put(HASH_ANNOTATION, hash(template));
        return new DaemonSetBuilder()
                .withNewMetadata()
                    .withName(NAME)
                    .withNamespace(namespace)
                    .withLabels(labels)
                    .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                    .withNewSelector().withMatchLabels(Map.of(NAME_LABEL, NAME)).endSelector()
                    .withNewUpdateStrategy()
                        .withType("RollingUpdate")
                        .withNewRollingUpdate().withNewMaxUnavailable("25%").endRollingUpdate()
                    .endUpdateStrategy()
                    .withTemplate(template)
                .endSpec()
                .build();
    }

    public static Map<String, String> labels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME_LABEL, NAME);
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        return labels;
    }

    /** True for the DaemonSet Headstart owns (by name and label), never for a user's look-alike. */
    public static boolean isOurs(DaemonSet daemonSet) {
        return NAME.equals(daemonSet.getMetadata().getName())
                && daemonSet.getMetadata().getLabels() != null
                && MANAGED_BY.equals(daemonSet.getMetadata().getLabels().get(MANAGED_BY_LABEL));
    }

    public static String hashOf(DaemonSet daemonSet) {
        Map<String, String> annotations = daemonSet.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(HASH_ANNOTATION);
    }

    private static List<Container> initContainers(ImageCachePlan plan, ImageCacheSettings settings) {
        List<Container> containers = new ArrayList<>();
        containers.add(new ContainerBuilder()
                .withName(INSTALLER)
                .withImage(settings.noopImage())
                .withImagePullPolicy("IfNotPresent")
                .withCommand("/bin/cp", "/bin/true", NOOP)
                .addNewVolumeMount().withName(VOLUME).withMountPath(NOOP_DIR).endVolumeMount()
                .withResources(resources())
                .withSecurityContext(restricted())
                .build());
        List<String> images = plan.images();
        for (int i = 0; i < images.size(); i++) {
            containers.add(new ContainerBuilder()
                    .withName(CACHE_PREFIX + i)
                    .withImage(images.get(i))
                    .withImagePullPolicy("IfNotPresent")
                    // Replaces the entrypoint, and with it the image's CMD: nothing of the image runs.
                    .withCommand(NOOP)
                    .addNewVolumeMount().withName(VOLUME).withMountPath(NOOP_DIR).withReadOnly(true).endVolumeMount()
                    .withResources(resources())
                    .withSecurityContext(restricted())
                    .build());
        }
        return containers;
    }

    private static ResourceRequirements resources() {
        return new ResourceRequirementsBuilder()
                .withRequests(Map.of("cpu", new Quantity("1m"), "memory", new Quantity("8Mi")))
                .withLimits(Map.of("memory", new Quantity("32Mi")))
                .build();
    }

    private static SecurityContext restricted() {
        return new SecurityContextBuilder()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .build();
    }

    private static String hash(PodTemplateSpec template) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(Serialization.asJson(template).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
