package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The part of the real admission chain that cares about CPU, modelled from the Kubernetes source
 * for tests (the mock API server runs no admission plugin):
 * <ul>
 * <li>defaulting ({@code pkg/apis/core/v1/defaults.go}): a container with a limit and no request
 *     gets the limit as its request, before any admission plugin;</li>
 * <li>LimitRanger's {@code Admit} ({@code plugin/pkg/admission/limitranger/admission.go},
 *     {@code mergePodResourceRequirements}): a Container item's {@code default} fills a missing limit,
 *     its {@code defaultRequest} (defaulted to {@code default}) a missing request; it runs before the
 *     webhooks and again after a webhook changed the pod;</li>
 * <li>LimitRanger's validation ({@code PodLimitFunc}): per container {@code max} (a limit must
 *     exist and be at most max) and {@code maxLimitRequestRatio} (request and limit non-zero, ratio
 *     at most); per pod the same over the sums (a sum exists only when every container names it);
 *     init containers are checked like containers (newer releases do; the stricter reading);</li>
 * <li>the quota evaluator ({@code pkg/quota/v1/evaluator/core/pods.go}): a quota on {@code limits.cpu}
 *     requires a CPU limit on every container and init container, and the pod's limits
 *     ({@code resourcehelper.PodLimits}: max of the running sum and the largest init container) must
 *     fit in hard - used.</li>
 * </ul>
 */
final class CpuAdmissionChain {

    private final List<CpuLimitRange> ranges;
    private final List<CpuQuota> quotas;

    CpuAdmissionChain(List<CpuLimitRange> ranges, List<CpuQuota> quotas) {
        this.ranges = ranges;
        this.quotas = quotas;
    }

    /** Defaulting and LimitRanger's mutating half. */
    void defaultAndLimitRange(ObjectNode pod) {
        for (ObjectNode c : containers(pod)) {
            ObjectNode resources = Workload.objectAt(c, "resources");
            JsonNode limit = resources.path("limits").path("cpu");
            if (!limit.isMissingNode() && resources.path("requests").path("cpu").isMissingNode()) {
                Workload.objectAt(resources, "requests").put("cpu", limit.asText());
            }
        }
        for (CpuLimitRange range : ranges) {
            if (!range.isContainer() || range.defaultMillis() == null) {
                continue;
            }
            for (ObjectNode c : containers(pod)) {
                ObjectNode resources = Workload.objectAt(c, "resources");
                if (resources.path("limits").path("cpu").isMissingNode()) {
                    Workload.objectAt(resources, "limits").put("cpu", CpuQuantity.format(range.defaultMillis()));
                }
                if (resources.path("requests").path("cpu").isMissingNode()) {
                    Workload.objectAt(resources, "requests").put("cpu", CpuQuantity.format(range.defaultMillis()));
                }
            }
        }
    }

    /** LimitRanger's and the quota's validation: the reasons the pod would be refused (none: admitted). */
    List<String> refusals(ObjectNode pod) {
        List<String> refusals = new ArrayList<>();
        long sumLimit = 0;
        long sumRequest = 0;
        boolean allLimits = true;
        boolean allRequests = true;
        long initPeak = 0;
        for (ObjectNode c : containers(pod)) {
            Optional<Long> limit = cpu(c, "limits");
            Optional<Long> request = cpu(c, "requests");
            boolean running = c.path("restartPolicy").asText("").equals("Always") || isRegular(pod, c);
            if (running) {
                sumLimit += limit.orElse(0L);
                sumRequest += request.orElse(0L);
                allLimits &= limit.isPresent();
                allRequests &= request.isPresent();
            } else {
                initPeak = Math.max(initPeak, limit.orElse(0L));
            }
            for (CpuLimitRange range : ranges) {
                if (!range.isContainer()) {
                    continue;
                }
                if (range.maxMillis() != null && (limit.isEmpty() || limit.get() > range.maxMillis())) {
                    refusals.add("Maximum cpu usage per Container is " + range.maxMillis() + "m, limit " + limit);
                }
                if (range.ratioMillis() != null) {
                    if (request.orElse(0L) == 0 || limit.orElse(0L) == 0) {
                        refusals.add("cpu max limit to request ratio: no request or limit");
                    } else if (limit.get() * 1000.0 / request.get() > range.ratioMillis()) {
                        refusals.add("cpu max limit to request ratio per Container exceeded");
                    }
                }
            }
            if (!quotas.isEmpty() && limit.isEmpty()) {
                refusals.add("must specify limits.cpu for: " + c.path("name").asText());
            }
        }
        for (CpuLimitRange range : ranges) {
            if (!range.isPod()) {
                continue;
            }
            if (range.maxMillis() != null && (!allLimits || sumLimit > range.maxMillis())) {
                refusals.add("Maximum cpu usage per Pod is " + range.maxMillis() + "m");
            }
            if (range.ratioMillis() != null && (!allLimits || !allRequests || sumRequest == 0
                    || sumLimit * 1000.0 / sumRequest > range.ratioMillis())) {
                refusals.add("cpu max limit to request ratio per Pod exceeded");
            }
        }
        long podLimits = Math.max(sumLimit, initPeak);
        for (CpuQuota quota : quotas) {
            if ((quota.usedMillis() == null ? 0 : quota.usedMillis()) + podLimits > quota.hardMillis()) {
                refusals.add("exceeded quota: " + quota.name());
            }
        }
        return refusals;
    }

    private static boolean isRegular(ObjectNode pod, ObjectNode c) {
        for (JsonNode x : pod.path("spec").path("containers")) {
            if (x == c) {
                return true;
            }
        }
        return false;
    }

    private static Optional<Long> cpu(ObjectNode c, String field) {
        JsonNode v = c.path("resources").path(field).path("cpu");
        return v.isMissingNode() ? Optional.empty() : Optional.of(CpuQuantity.millis(v.asText()).orElseThrow());
    }

    private static List<ObjectNode> containers(ObjectNode pod) {
        return Workload.of(pod).orElseThrow().allContainers();
    }
}
