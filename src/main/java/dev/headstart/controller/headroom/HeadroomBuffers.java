package dev.headstart.controller.headroom;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The CapacityBuffers and PodTemplates of headroom pools in buffer mode, in the install namespace:
 * one pair per pool (per zone when it spreads), named as its Deployment would be, labelled as
 * Headstart's with the pool (and zone). Written only when they differ from what the pool asks
 * (PodTemplate by the hash of what Headstart owns, buffer by {@code spec.replicas} and
 * {@code spec.podTemplateRef}); removed (buffer first, then its template) only when they carry
 * Headstart's managed-by label and a pool label. The buffers' status conditions are read back each
 * pass into {@code headstart_headroom_buffer_ready{pool}} and a Warning Event on a refused buffer.
 */
final class HeadroomBuffers {

    private static final Logger LOG = Logger.getLogger(HeadroomBuffers.class);
    static final String KIND = "CapacityBuffer";

    /** What exists this pass: Headstart's PodTemplates, and its CapacityBuffers when the API is served. */
    record Existing(Map<String, PodTemplate> templates, Map<String, GenericKubernetesResource> buffers) {
    }

    private final HeadroomSettings settings;
    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> ready = new ConcurrentHashMap<>();
    /** The refusal last reported per buffer name: an Event once per verdict, not once per pass. */
    private final Map<String, String> reported = new HashMap<>();

    HeadroomBuffers(HeadroomSettings settings, MeterRegistry registry) {
        this.settings = settings;
        this.registry = registry;
    }

    static ResourceDefinitionContext context(String apiVersion) {
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        return new ResourceDefinitionContext.Builder().withGroup(CapacityBufferApi.GROUP).withVersion(version)
                .withKind(KIND).withPlural(CapacityBufferApi.RESOURCE).withNamespaced(true).build();
    }

    private MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> api(
            KubernetesClient client, String apiVersion) {
        return client.genericKubernetesResources(context(apiVersion));
    }

    /** Headstart's PodTemplates (they outlive a buffer API that went away, so they are listed without it). */
    Map<String, PodTemplate> templates(KubernetesClient client) {
        Map<String, PodTemplate> templates = new LinkedHashMap<>();
        for (PodTemplate t : client.v1().podTemplates().inNamespace(settings.namespace())
                .withLabel(HeadroomObjects.MANAGED_BY_LABEL, "headstart").list().getItems()) {
            templates.put(t.getMetadata().getName(), t);
        }
        return templates;
    }

    /** Headstart's CapacityBuffers in the served version. */
    Map<String, GenericKubernetesResource> buffers(KubernetesClient client, String apiVersion) {
        Map<String, GenericKubernetesResource> found = new LinkedHashMap<>();
        for (GenericKubernetesResource b : api(client, apiVersion).inNamespace(settings.namespace())
                .withLabel(HeadroomObjects.MANAGED_BY_LABEL, "headstart").list().getItems()) {
            found.put(b.getMetadata().getName(), b);
        }
        return found;
    }

    /** The PodTemplate, then the buffer pointing at it, each written only when it differs. */
    void apply(KubernetesClient client, String apiVersion, Existing existing, PodTemplate template, int replicas) {
        String name = template.getMetadata().getName();
        PodTemplate current = existing.templates().get(name);
        String hash = template.getMetadata().getAnnotations().get(HeadroomObjects.TEMPLATE_HASH);
        if (current == null) {
            client.v1().podTemplates().inNamespace(settings.namespace()).resource(template).create();
            LOG.infof("headroom: created PodTemplate %s/%s", settings.namespace(), name);
        } else if (current.getMetadata().getAnnotations() == null
                || !hash.equals(current.getMetadata().getAnnotations().get(HeadroomObjects.TEMPLATE_HASH))) {
            client.v1().podTemplates().inNamespace(settings.namespace()).withName(name).edit(t -> {
                Map<String, String> labels = new HashMap<>(Optional.ofNullable(t.getMetadata().getLabels()).orElse(Map.of()));
                labels.putAll(template.getMetadata().getLabels());
                t.getMetadata().setLabels(labels);
                Map<String, String> annotations = new HashMap<>(Optional.ofNullable(t.getMetadata().getAnnotations())
                        .orElse(Map.of()));
                annotations.put(HeadroomObjects.TEMPLATE_HASH, hash);
                t.getMetadata().setAnnotations(annotations);
                t.setTemplate(template.getTemplate());
                return t;
            });
            LOG.infof("headroom: PodTemplate %s/%s updated (the pool's shape or placement changed)", settings.namespace(), name);
        }
        GenericKubernetesResource desired = HeadroomObjects.capacityBuffer(apiVersion, template, replicas);
        GenericKubernetesResource buffer = existing.buffers().get(name);
        if (buffer == null) {
            api(client, apiVersion).inNamespace(settings.namespace()).resource(desired).create();
            LOG.infof("headroom: created CapacityBuffer %s/%s (%s) with %d replicas", settings.namespace(), name,
                    apiVersion, replicas);
            return;
        }
        if (replicas(buffer) == replicas && name.equals(templateRef(buffer))) {
            return;
        }
        int before = replicas(buffer);
        api(client, apiVersion).inNamespace(settings.namespace()).withName(name).edit(b -> {
            // Only the two fields Headstart owns: what the CRD defaulted (provisioningStrategy) stays.
            Map<String, Object> spec = new LinkedHashMap<>(spec(b));
            spec.put("podTemplateRef", Map.of("name", name));
            spec.put("replicas", replicas);
            b.setAdditionalProperty("spec", spec);
            return b;
        });
        LOG.infof("headroom: CapacityBuffer %s/%s -> %d replicas (was %d)", settings.namespace(), name, replicas, before);
    }

    /**
     * Deletes Headstart's buffers and PodTemplates no pool wants (a removed pool, one switched to pause
     * pods, a zone without nodes): only those labelled with a headroom pool. The buffer goes first, so
     * the autoscaler never sees a buffer whose template is gone.
     */
    void removeUnwanted(KubernetesClient client, Optional<String> apiVersion, Existing existing, Set<String> wanted) {
        for (GenericKubernetesResource b : existing.buffers().values()) {
            String name = b.getMetadata().getName();
            if (poolOf(b.getMetadata().getLabels()) != null && !wanted.contains(name)) {
                api(client, apiVersion.orElseThrow()).inNamespace(settings.namespace()).withName(name).delete();
                reported.remove(name);
                LOG.infof("headroom: deleted CapacityBuffer %s/%s (no pool keeps it)", settings.namespace(), name);
            }
        }
        for (PodTemplate t : existing.templates().values()) {
            String name = t.getMetadata().getName();
            if (poolOf(t.getMetadata().getLabels()) != null && !wanted.contains(name)) {
                client.v1().podTemplates().inNamespace(settings.namespace()).withName(name).delete();
                LOG.infof("headroom: deleted PodTemplate %s/%s (no pool keeps it)", settings.namespace(), name);
            }
        }
    }

    /**
     * Reads the verdict of each pool's buffers into its gauge; a refused buffer gets one Warning Event
     * (and a log line) per reason and message. {@code bufferPools} are the pools in buffer mode now;
     * every other pool's gauge is -1.
     */
    void status(Existing existing, Set<String> bufferPools, Set<String> allPools,
            EventSink events) {
        Map<String, List<CapacityBufferStatus>> byPool = new HashMap<>();
        for (GenericKubernetesResource b : existing.buffers().values()) {
            String pool = poolOf(b.getMetadata().getLabels());
            if (pool == null || !bufferPools.contains(pool)) {
                continue;
            }
            CapacityBufferStatus status = CapacityBufferStatus.of(b);
            byPool.computeIfAbsent(pool, p -> new java.util.ArrayList<>()).add(status);
            String name = b.getMetadata().getName();
            if (!status.refused()) {
                reported.remove(name);
                continue;
            }
            String verdict = status.condition() + "=False " + status.reason() + ": " + status.message();
            if (!verdict.equals(reported.put(name, verdict))) {
                String message = "CapacityBuffer " + name + " of pool " + pool + " is refused by the autoscaler ("
                        + verdict + "); no capacity is held for it";
                LOG.warnf("headroom: %s", message);
                events.warn(b, "CapacityBufferRefused", message);
            }
        }
        reported.keySet().retainAll(existing.buffers().keySet());
        for (String pool : allPools) {
            gauge(pool).set(bufferPools.contains(pool)
                    ? CapacityBufferStatus.worst(byPool.getOrDefault(pool, List.of())).ready() : -1);
        }
        ready.forEach((pool, value) -> {
            if (!allPools.contains(pool)) {
                value.set(-1);
            }
        });
    }

    /** Where a Warning Event about a buffer goes (the reconciler's Event writer). */
    interface EventSink {
        void warn(GenericKubernetesResource buffer, String reason, String message);
    }

    AtomicInteger gauge(String pool) {
        return ready.computeIfAbsent(pool, name -> {
            AtomicInteger value = new AtomicInteger(-1);
            Gauge.builder("headstart.headroom.buffer.ready", value, AtomicInteger::get)
                    .description("The autoscaler's verdict on this pool's CapacityBuffer(s): 1 ready, 0 refused"
                            + " (ReadyForProvisioning or Provisioning False), -1 no verdict yet or not in buffer mode")
                    .tag("pool", name)
                    .register(registry);
            return value;
        });
    }

    void reset() {
        ready.values().forEach(v -> v.set(-1));
        reported.clear();
    }

    static String poolOf(Map<String, String> labels) {
        return labels == null ? null : labels.get(HeadroomObjects.POOL_LABEL);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource buffer) {
        Object spec = buffer.getAdditionalProperties().get("spec");
        return spec instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    static int replicas(GenericKubernetesResource buffer) {
        Object replicas = spec(buffer).get("replicas");
        return replicas instanceof Number n ? n.intValue() : -1;
    }

    private static String templateRef(GenericKubernetesResource buffer) {
        Object ref = spec(buffer).get("podTemplateRef");
        return ref instanceof Map<?, ?> map ? Objects.toString(map.get("name"), null) : null;
    }
}
