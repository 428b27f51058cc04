package dev.headstart.controller.imagecache;

import dev.headstart.imagecache.CacheGroup;
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
import io.fabric8.kubernetes.api.model.Toleration;
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
import java.util.Objects;
import java.util.TreeMap;

/**
 * Builds the DaemonSet of one {@link CacheGroup}: {@code headstart-image-cache-<group id>} in the
 * group's namespace, carrying the group's node selector (with its membership label, which the
 * reconciler keeps on exactly the nodes the plan gives the group), affinity and tolerations, so the
 * DaemonSet controller runs its pods exactly where the plan puts the group. Each image is a regular container ({@code cache-0}, {@code cache-1}, … in the order of
 * {@link CacheGroup#images()}) whose command is a static busybox {@code sleep} copied into a shared
 * emptyDir by the one init container: the kubelet pulls the image, nothing of the image runs, and
 * because regular containers are started independently one image that cannot be pulled leaves the
 * others running (pkg/kubelet/kuberuntime/kuberuntime_manager.go, SyncPod; DESIGN.md).
 */
public final class ImageCacheDaemonSet {

    /** The name label's value on every cache DaemonSet and pod; also the name of the old per-namespace DaemonSet. */
    public static final String NAME = "headstart-image-cache";
    public static final String NAME_LABEL = "app.kubernetes.io/name";
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "headstart";
    public static final String GROUP_LABEL = "headstart.dev/image-cache-group";
    /** On a sharded group's DaemonSets and pods only: {@code <index>of<count>} ({@link ImageCacheShards}). */
    public static final String SHARD_LABEL = "headstart.dev/image-cache-shard";
    /** The cached images, one per line, in container order; on the DaemonSet and its pods. */
    public static final String IMAGES_ANNOTATION = "headstart.dev/image-cache-images";
    /**
     * A digest of the pod template (without itself): on the DaemonSet, where the reconciler compares
     * it before writing, and on its pods, where completion tells a current pod from an old one.
     */
    public static final String HASH_ANNOTATION = "headstart.dev/image-cache-hash";
    public static final String INSTALLER = "headstart-noop-installer";
    public static final String CACHE_PREFIX = "cache-";
    /** Busybox dispatches on argv[0], so the copied binary keeps the name {@code sleep}. */
    static final String NOOP_DIR = "/headstart";
    static final String SLEEP = NOOP_DIR + "/sleep";
    /** About 68 years: busybox sleep takes whole seconds up to 2^31-1 on every build. */
    static final String FOREVER = "2147483647";
    static final String VOLUME = "noop";
    static final long NOBODY = 65534L;
    static final String OS_LABEL = "kubernetes.io/os";

    private ImageCacheDaemonSet() {
    }

    public static String name(CacheGroup group) {
        return NAME + "-" + group.id();
    }

    /** The group's DaemonSet when it is one shard; {@link ImageCacheShards#build} splits a large group. */
    public static DaemonSet build(CacheGroup group, ImageCacheSettings settings) {
        return build(group, settings, null);
    }

    /**
     * One DaemonSet of the group's images: all of them ({@code shard} null: the name, labels and
     * selector of a group that was never split), or one shard's, named and selected by its shard
     * label so no two DaemonSets of the group claim each other's pods.
     */
    static DaemonSet build(CacheGroup group, ImageCacheSettings settings, String shard) {
        Map<String, String> labels = labels(group.id());
        if (shard != null) {
            labels.put(SHARD_LABEL, shard);
        }
        String images = String.join("\n", group.images());
        Map<String, String> nodeSelector = new TreeMap<>(group.nodeSelector() == null ? Map.of() : group.nodeSelector());
        // The no-op is a Linux binary; Windows nodes never get a cache.
        nodeSelector.putIfAbsent(OS_LABEL, "linux");
        PodTemplateSpec template = new PodTemplateSpecBuilder()
                .withNewMetadata()
                    .withLabels(labels)
                    .withAnnotations(new LinkedHashMap<>(Map.of(Annotations.SKIP, "all", IMAGES_ANNOTATION, images)))
                .endMetadata()
                .withNewSpec()
                    .withNodeSelector(nodeSelector)
                    .withAffinity(group.affinity())
                    .withTolerations(tolerations(group, settings))
                    .withAutomountServiceAccountToken(false)
                    .withEnableServiceLinks(false)
                    .withTerminationGracePeriodSeconds(1L)
                    .withImagePullSecrets(group.pullSecrets().stream().map(LocalObjectReference::new).toList())
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
                    .withInitContainers(installer(settings))
                    .withContainers(imageContainers(group))
                .endSpec()
                .build();
        String hash = hash(template);
        template.getMetadata().getAnnotations().put(HASH_ANNOTATION, hash);

        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(Annotations.SKIP, "all");
        annotations.put(IMAGES_ANNOTATION, images);
        annotations.put(HASH_ANNOTATION, hash);
        return new DaemonSetBuilder()
                .withNewMetadata()
                    .withName(shard == null ? name(group) : name(group) + "-" + shard)
                    .withNamespace(group.namespace())
                    .withLabels(labels)
                    .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                    .withNewSelector().withMatchLabels(selector(group.id(), shard)).endSelector()
                    // All at once: a pod with an image in back-off never becomes Ready, so a rolling
                    // update bounded by unavailable pods would stop at the first such node.
                    .withNewUpdateStrategy()
                        .withType("RollingUpdate")
                        .withNewRollingUpdate().withNewMaxUnavailable("100%").endRollingUpdate()
                    .endUpdateStrategy()
                    .withTemplate(template)
                .endSpec()
                .build();
    }

    private static Map<String, String> selector(String groupId, String shard) {
        Map<String, String> selector = new LinkedHashMap<>(Map.of(NAME_LABEL, NAME, GROUP_LABEL, groupId));
        if (shard != null) {
            selector.put(SHARD_LABEL, shard);
        }
        return selector;
    }

    public static Map<String, String> labels(String groupId) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME_LABEL, NAME);
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        labels.put(GROUP_LABEL, groupId);
        return labels;
    }

    /**
     * True for a cache DaemonSet Headstart made (its name label and {@code managed-by: headstart}),
     * a group's or the old per-namespace one; never for a user's look-alike without the labels.
     */
    public static boolean isOurs(DaemonSet daemonSet) {
        Map<String, String> labels = daemonSet.getMetadata().getLabels();
        String name = daemonSet.getMetadata().getName();
        return labels != null && NAME.equals(labels.get(NAME_LABEL)) && MANAGED_BY.equals(labels.get(MANAGED_BY_LABEL))
                && name != null && name.startsWith(NAME);
    }

    public static String hashOf(DaemonSet daemonSet) {
        Map<String, String> annotations = daemonSet.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(HASH_ANNOTATION);
    }

    /**
     * The group's tolerations, which hold an {@code Exists} toleration for every key the plan treats
     * as transient (the warm-up taint's among them: warm nodes fill their cache whatever the taint's
     * value); the warm-up taint's own toleration is added only if no toleration has its key.
     */
    static List<Toleration> tolerations(CacheGroup group, ImageCacheSettings settings) {
        List<Toleration> tolerations = new ArrayList<>(group.tolerations() == null ? List.of() : group.tolerations());
        Toleration warmup = settings.warmupTaint().toleration();
        if (tolerations.stream().noneMatch(t -> t.getKey() == null
                || (Objects.equals(t.getKey(), warmup.getKey()) && "Exists".equals(t.getOperator())))) {
            tolerations.add(warmup);
        }
        return tolerations;
    }

    private static Container installer(ImageCacheSettings settings) {
        return new ContainerBuilder()
                .withName(INSTALLER)
                .withImage(settings.noopImage())
                .withImagePullPolicy("IfNotPresent")
                .withCommand("/bin/cp", "/bin/sleep", SLEEP)
                .addNewVolumeMount().withName(VOLUME).withMountPath(NOOP_DIR).endVolumeMount()
                .withResources(resources())
                .withSecurityContext(restricted())
                .build();
    }

    private static List<Container> imageContainers(CacheGroup group) {
        List<Container> containers = new ArrayList<>();
        List<String> images = group.images();
        for (int i = 0; i < images.size(); i++) {
            containers.add(new ContainerBuilder()
                    .withName(CACHE_PREFIX + i)
                    .withImage(images.get(i))
                    .withImagePullPolicy("IfNotPresent")
                    // Replaces the entrypoint, and with it the image's CMD: nothing of the image runs.
                    .withCommand(SLEEP, FOREVER)
                    .addNewVolumeMount().withName(VOLUME).withMountPath(NOOP_DIR).withReadOnly(true).endVolumeMount()
                    .withResources(resources())
                    .withSecurityContext(restricted())
                    .build());
        }
        return containers;
    }

    /**
     * Requests an explicit 0: with a limit and no request the API server would default the request
     * to the limit (pkg/apis/core/v1/defaults.go), and a pod of N images would reserve N times it.
     */
    private static ResourceRequirements resources() {
        return new ResourceRequirementsBuilder()
                .withRequests(Map.of("cpu", new Quantity("0"), "memory", new Quantity("0")))
                .withLimits(Map.of("memory", new Quantity("16Mi")))
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
