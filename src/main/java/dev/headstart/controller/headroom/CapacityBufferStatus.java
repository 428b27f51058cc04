package dev.headstart.controller.headroom;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.List;
import java.util.Map;

/**
 * What the autoscaler says of one CapacityBuffer, from its {@code status.conditions}. cluster-autoscaler's
 * buffer controller writes {@code ReadyForProvisioning} (the buffer's template and replicas resolved)
 * and {@code Provisioning} (virtual pods injected); its pod-list processor uses only buffers with both
 * True (cluster-autoscaler {@code processors/capacitybuffer}, {@code CapacityBufferPodListProcessor};
 * condition names in {@code capacitybuffer/common}). Either False is a refusal, with the reason and
 * message the autoscaler gave; {@code ReadyForProvisioning} True (and {@code Provisioning} not False)
 * is ready; no verdict yet (no autoscaler reads buffers, or it has not got to this one) is unknown.
 *
 * @param ready 1 ready, 0 refused, -1 no verdict yet (the value of {@code headstart_headroom_buffer_ready})
 */
public record CapacityBufferStatus(int ready, String condition, String reason, String message) {

    public static final String READY_FOR_PROVISIONING = "ReadyForProvisioning";
    public static final String PROVISIONING = "Provisioning";

    public static final CapacityBufferStatus UNKNOWN = new CapacityBufferStatus(-1, null, null, null);

    public boolean refused() {
        return ready == 0;
    }

    public static CapacityBufferStatus of(GenericKubernetesResource buffer) {
        Object status = buffer.getAdditionalProperties().get("status");
        Object conditions = status instanceof Map<?, ?> map ? map.get("conditions") : null;
        if (!(conditions instanceof List<?> list)) {
            return UNKNOWN;
        }
        Map<?, ?> readyFor = find(list, READY_FOR_PROVISIONING);
        Map<?, ?> provisioning = find(list, PROVISIONING);
        for (Map<?, ?> condition : java.util.Arrays.asList(readyFor, provisioning)) {
            if (condition != null && "False".equals(condition.get("status"))) {
                return new CapacityBufferStatus(0, String.valueOf(condition.get("type")), text(condition.get("reason")),
                        text(condition.get("message")));
            }
        }
        if (readyFor != null && "True".equals(readyFor.get("status"))) {
            return new CapacityBufferStatus(1, READY_FOR_PROVISIONING, text(readyFor.get("reason")),
                    text(readyFor.get("message")));
        }
        return UNKNOWN;
    }

    /** The worst of several buffers of one pool (a spread pool has one per zone). */
    public static CapacityBufferStatus worst(List<CapacityBufferStatus> statuses) {
        CapacityBufferStatus worst = null;
        for (CapacityBufferStatus s : statuses) {
            if (worst == null || rank(s) < rank(worst)) {
                worst = s;
            }
        }
        return worst == null ? UNKNOWN : worst;
    }

    private static int rank(CapacityBufferStatus status) {
        return status.ready == 0 ? 0 : status.ready == -1 ? 1 : 2;
    }

    private static Map<?, ?> find(List<?> conditions, String type) {
        for (Object c : conditions) {
            if (c instanceof Map<?, ?> map && type.equals(map.get("type"))) {
                return map;
            }
        }
        return null;
    }

    private static String text(Object value) {
        return value == null ? "" : String.valueOf(value).replaceAll("\\s+", " ");
    }
}
