package dev.headstart.controller.headroom;

import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.api.model.PodTemplateBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import dev.headstart.json.Json;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The desired headroom objects, built purely from settings: a PriorityClass below every workload
 * (but above the cluster autoscaler's expendable cutoff of -10, so pending placeholders still
 * trigger scale-up) and a Deployment of pause pods that any real pod preempts.
 */
public final class HeadroomObjects {

    public static final String NAME_LABEL = "app.kubernetes.io/name";
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    /** Hash of the desired pod template: the reconciler updates only when it changes. */
    public static final String TEMPLATE_HASH = "headstart.dev/template-hash";

    private HeadroomObjects() {
    }

    public static Map<String, String> labels(HeadroomSettings settings) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME_LABEL, settings.name());
        labels.put(MANAGED_BY_LABEL, "headstart");
        return labels;
    }

    /** The second name the class takes while its value changes (value is immutable: see {@link #classNames}). */
    public static final String ALTERNATE_SUFFIX = "-alt";

    /**
     * The two names the placeholders' class alternates between. PriorityClass {@code value} is
     * immutable, and a class deleted to be recreated leaves a window in which the API server refuses
     * new pods naming it; so a new value is created under the name not in use, the pod template moves
     * to it (which rolls the placeholders), and only then is the old class deleted.
     */
    public static List<String> classNames(HeadroomSettings settings) {
        return List.of(settings.name(), settings.name() + ALTERNATE_SUFFIX);
    }

    public static PriorityClass priorityClass(HeadroomSettings settings) {
        return priorityClass(settings, settings.name());
    }

    public static PriorityClass priorityClass(HeadroomSettings settings, String className) {
        return new PriorityClassBuilder()
                .withNewMetadata().withName(className).withLabels(labels(settings)).endMetadata()
                .withValue(settings.priority())
                .withPreemptionPolicy("Never")
                .withGlobalDefault(false)
                .withDescription("Headstart headroom: pause pods that hold spare capacity. Every real pod "
                        + "preempts them; the value stays above the cluster autoscaler's expendable cutoff (-10) "
                        + "so pending placeholders still make it add nodes.")
                .build();
    }

    public static Deployment deployment(HeadroomSettings settings, int replicas) {
        return deployment(settings, replicas, settings.name());
    }

    public static Deployment deployment(HeadroomSettings settings, int replicas, String className) {
        return deployment(settings, HeadroomPool.fromSettings(settings, null), null, replicas, className);
    }

    /** Marks every headroom Deployment with its pool: the objects a removed pool leaves are found by it. */
    public static final String POOL_LABEL = "headstart.dev/headroom-pool";
    public static final String ZONE_LABEL = "headstart.dev/headroom-zone";

    /** {@code <name>} for the default pool, {@code <name>-<pool>} for the others, {@code -<zone>} when spread. */
    public static String deploymentName(HeadroomSettings settings, String pool, String zone) {
        String base = HeadroomPool.DEFAULT.equals(pool) ? settings.name() : settings.name() + "-" + pool;
        return zone == null ? base : base + "-" + zone.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    }

    /** The pause-pod Deployment of one pool (and zone, when the pool spreads; else {@code zone} is null). */
    public static Deployment deployment(HeadroomSettings settings, HeadroomPool pool, String zone, int replicas,
            String className) {
        String name = deploymentName(settings, pool.name(), zone);
        Map<String, String> selector = Map.of(NAME_LABEL, name);
        Map<String, String> labels = new TreeMap<>();
        labels.put(NAME_LABEL, name);
        labels.put(MANAGED_BY_LABEL, "headstart");
        labels.put(POOL_LABEL, pool.name());
        if (zone != null) {
            labels.put(ZONE_LABEL, zone);
        }
        Map<String, String> nodeSelector = new TreeMap<>(pool.podNodeSelector());
        if (zone != null) {
            nodeSelector.put(HeadroomPool.ZONE_LABEL, zone);
        }
        Map<String, Quantity> limits = new TreeMap<>();
        // memory limit = request: a pause pod never grows, and the pod is not BestEffort; extended
        // resources cannot be overcommitted, so their limit must equal the request.
        pool.shape().forEach((resource, quantity) -> {
            if (!resource.equals("cpu") && !resource.equals("ephemeral-storage")) {
                limits.put(resource, quantity);
            }
        });
        Deployment deployment = new DeploymentBuilder()
                .withNewMetadata()
                    .withName(name)
                    .withNamespace(settings.namespace())
                    .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                    .withReplicas(replicas)
                    .withNewSelector().withMatchLabels(selector).endSelector()
                    .withNewStrategy().withType("Recreate").endStrategy()
                    .withNewTemplate()
                        .withNewMetadata().withLabels(labels).endMetadata()
                        .withNewSpec()
                            .withPriorityClassName(className)
                            .withTerminationGracePeriodSeconds(0L)
                            .withAutomountServiceAccountToken(false)
                            .withEnableServiceLinks(false)
                            .withNodeSelector(nodeSelector)
                            .withTolerations(pool.tolerations().stream().map(TaintSpec::toleration).toList())
                            .withNewSecurityContext()
                                .withRunAsNonRoot(true)
                                .withRunAsUser(65535L)
                                .withRunAsGroup(65535L)
                                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                            .endSecurityContext()
                            .addNewContainer()
                                .withName("pause")
                                .withImage(settings.image())
                                .withImagePullPolicy("IfNotPresent")
                                .withNewResources()
                                    .withRequests(new TreeMap<>(pool.shape()))
                                    .withLimits(limits)
                                .endResources()
                                .withNewSecurityContext()
                                    .withAllowPrivilegeEscalation(false)
                                    .withReadOnlyRootFilesystem(true)
                                    .withNewCapabilities().addToDrop("ALL").endCapabilities()
                                .endSecurityContext()
                            .endContainer()
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();
        if (!pool.requiredNodeAffinity().isEmpty()) {
            // Set only when given: the template (and its hash) of a pool without it stays as it was.
            deployment.getSpec().getTemplate().getSpec().setAffinity(new AffinityBuilder().withNewNodeAffinity()
                    .withNewRequiredDuringSchedulingIgnoredDuringExecution()
                        .withNodeSelectorTerms(pool.requiredNodeAffinity())
                    .endRequiredDuringSchedulingIgnoredDuringExecution()
                    .endNodeAffinity().build());
        }
        deployment.getMetadata().setAnnotations(Map.of(TEMPLATE_HASH, templateHash(deployment)));
        return deployment;
    }

    /**
     * The PodTemplate a pool's CapacityBuffer points at: the pause pod of {@link #deployment} (same
     * node selector, zone, tolerations, affinity, requests), without a priority class. The autoscaler
     * only simulates pods of it ("virtual" pods: nothing runs, nothing is preempted), and a class there
     * would tie the template to the class roll for nothing.
     */
    public static PodTemplate podTemplate(HeadroomSettings settings, HeadroomPool pool, String zone) {
        Deployment deployment = deployment(settings, pool, zone, 0, settings.name());
        PodTemplateSpec template = deployment.getSpec().getTemplate();
        template.getSpec().setPriorityClassName(null);
        PodTemplate podTemplate = new PodTemplateBuilder()
                .withNewMetadata()
                    .withName(deployment.getMetadata().getName())
                    .withNamespace(settings.namespace())
                    .withLabels(new TreeMap<>(deployment.getMetadata().getLabels()))
                .endMetadata()
                .withTemplate(template)
                .build();
        podTemplate.getMetadata().setAnnotations(Map.of(TEMPLATE_HASH, hash(Map.of("labels",
                new TreeMap<>(podTemplate.getMetadata().getLabels()), "template", template))));
        return podTemplate;
    }

    /**
     * The pool's CapacityBuffer ({@code autoscaling.x-k8s.io}, the served version given): its
     * PodTemplate by name and {@code replicas}, nothing else. {@code provisioningStrategy} is left to
     * the CRD's default (it differs between versions); {@code percentage} and {@code limits} are not
     * set, since cluster-autoscaler takes the largest and Karpenter the smallest of what is set.
     */
    public static GenericKubernetesResource capacityBuffer(String apiVersion, PodTemplate template, int replicas) {
        GenericKubernetesResource buffer = new GenericKubernetesResourceBuilder()
                .withApiVersion(apiVersion)
                .withKind("CapacityBuffer")
                .withNewMetadata()
                    .withName(template.getMetadata().getName())
                    .withNamespace(template.getMetadata().getNamespace())
                    .withLabels(new TreeMap<>(template.getMetadata().getLabels()))
                .endMetadata()
                .build();
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("podTemplateRef", Map.of("name", template.getMetadata().getName()));
        spec.put("replicas", replicas);
        buffer.setAdditionalProperty("spec", spec);
        return buffer;
    }

    /** A stable hash of what headstart owns in the Deployment (everything but the replica count). */
    static String templateHash(Deployment deployment) {
        // Ordered maps only: the hash must be the same in every JVM, or each restart would churn pods.
        Map<String, Object> owned = new LinkedHashMap<>();
        owned.put("labels", new TreeMap<>(deployment.getMetadata().getLabels()));
        owned.put("selector", deployment.getSpec().getSelector());
        owned.put("template", deployment.getSpec().getTemplate());
        return hash(owned);
    }

    private static String hash(Map<String, Object> owned) {
        try {
            byte[] json = Json.MAPPER.writeValueAsBytes(owned instanceof LinkedHashMap ? owned : new TreeMap<>(owned));
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json)).substring(0, 16);
        } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot hash the headroom template", e);
        }
    }

}
