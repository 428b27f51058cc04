package dev.headstart.controller.headroom;

import dev.headstart.imagecache.PodRequests;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code shapeFrom}: one pause pod asks for what one pod of the named workload asks the scheduler
 * for ({@link PodRequests}: containers summed, sidecars and init containers as the scheduler counts
 * them, pod-level requests, limits standing in for missing requests), so one preempted placeholder
 * frees room for exactly one of its pods. The workload comes from its own watch ({@link ShapeWatches});
 * until that has listed, from one GET by name.
 */
final class WorkloadShape {

    private WorkloadShape() {
    }

    /** The pod requests of a template as quantities, sorted; empty when it asks for nothing. */
    static Map<String, Quantity> of(PodSpec spec) {
        SortedMap<String, BigDecimal> requests = PodRequests.of(spec, spec.getOverhead());
        Map<String, Quantity> shape = new TreeMap<>();
        requests.forEach((resource, amount) -> shape.put(resource, new Quantity(amount.toPlainString())));
        return shape;
    }

    /** The workload's pod spec, or empty when it does not exist (other API errors are thrown). */
    static Optional<PodSpec> read(KubernetesClient client, HeadroomPool.WorkloadRef ref) {
        PodTemplateSpec template = switch (ref.kind()) {
            case "Deployment" -> {
                Deployment d = client.apps().deployments().inNamespace(ref.namespace()).withName(ref.name()).get();
                yield d == null || d.getSpec() == null ? null : d.getSpec().getTemplate();
            }
            case "StatefulSet" -> {
                StatefulSet s = client.apps().statefulSets().inNamespace(ref.namespace()).withName(ref.name()).get();
                yield s == null || s.getSpec() == null ? null : s.getSpec().getTemplate();
            }
            default -> throw new IllegalArgumentException("shapeFrom kind " + ref.kind());
        };
        return template == null || template.getSpec() == null ? Optional.empty() : Optional.of(template.getSpec());
    }
}
