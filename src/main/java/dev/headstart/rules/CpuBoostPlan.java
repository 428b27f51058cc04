package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * How far each container's CPU limit can be lifted, given the configured mode and what the
 * admission plugins after the webhook will do to the pod (DESIGN.md, "cpu-boost"): LimitRanger's
 * defaulting and its {@code max} and {@code maxLimitRequestRatio} checks
 * ({@code plugin/pkg/admission/limitranger/admission.go}), and the quota evaluator's demand for a
 * {@code limits.cpu} on every container and a total within the quota
 * ({@code pkg/quota/v1/evaluator/core/pods.go}). Pure: the rule applies it, tests read it.
 *
 * @param boosts   the containers whose limit changes, in pod order
 * @param declined why nothing is boosted although something could have been, or null
 */
public record CpuBoostPlan(List<Boost> boosts, String declined) {

    /**
     * One container's boost.
     *
     * @param field      {@code containers} or {@code initContainers} (a native sidecar)
     * @param newMillis  the lifted limit, or null to remove it
     * @param pinRequest the container names no CPU request: the API server would default it to the
     *                   limit, so the rule writes the original limit as the request
     */
    public record Boost(String field, int index, String container, String original, long originalMillis,
            Long newMillis, boolean pinRequest) {
    }

    static final CpuBoostPlan NOTHING = new CpuBoostPlan(List.of(), null);

    static CpuBoostPlan declined(String reason) {
        return new CpuBoostPlan(List.of(), reason);
    }

    public boolean hasWork() {
        return !boosts.isEmpty() || declined != null;
    }

    /** A container of the pod, with what the plan needs to know of it. */
    private record Slot(String field, int index, ObjectNode container, String name, Long limitMillis, String limitText,
            Long requestMillis, boolean candidate) {
    }

    public static CpuBoostPlan of(Workload pod, CpuBoostSettings settings, CpuBoostFacts facts) {
        ObjectNode spec = pod.podSpec();
        if (spec == null) {
            return NOTHING;
        }
        List<Slot> slots = slots(spec);
        List<Slot> candidates = slots.stream().filter(Slot::candidate).toList();
        if (candidates.isEmpty() || Qos.guaranteed(pod)) {
            // Nothing throttled, or Guaranteed: resize may not change the QoS class, so a Guaranteed
            // pod made Burstable at admission could never be given its limits back.
            return NOTHING;
        }
        if (spec.path("resources").path("limits").has("cpu")) {
            return declined("the pod-level CPU limit (spec.resources) bounds its containers; it is left as it is");
        }
        if ("windows".equals(spec.path("os").path("name").asText(""))) {
            return declined("Windows pods cannot be resized in place, so a boost could not be given back");
        }
        if (!facts.ready()) {
            return declined("the LimitRange and ResourceQuota caches have not synced yet; not boosted");
        }
        var unavailable = facts.resizeUnavailable();
        if (unavailable.isPresent()) {
            return declined(unavailable.get());
        }
        String namespace = pod.namespace();
        List<CpuLimitRange> ranges = facts.limitRanges(namespace);
        List<CpuQuota> quotas = facts.quotas(namespace);
        if (!quotas.isEmpty() && !settings.fitQuota()) {
            return declined("ResourceQuota " + quotas.get(0).name() + " tracks limits.cpu: a raised limit would hold"
                    + " quota the next replicas of a scale-up need (headstart.cpu-boost.fit-quota=true boosts within"
                    + " what it has left)");
        }

        // Per container: what the mode asks for, capped by LimitRange max and ratio.
        String removalBlocker = removalBlocker(ranges, quotas);
        long[] target = new long[candidates.size()];
        boolean[] remove = new boolean[candidates.size()];
        String capReason = null;
        for (int i = 0; i < candidates.size(); i++) {
            Slot slot = candidates.get(i);
            long request = slot.requestMillis != null ? slot.requestMillis : slot.limitMillis;
            long cap = Long.MAX_VALUE;
            for (CpuLimitRange range : ranges) {
                if (!range.isContainer()) {
                    continue;
                }
                if (range.maxMillis() != null && range.maxMillis() < cap) {
                    cap = range.maxMillis();
                    capReason = "LimitRange " + range.name() + " max " + CpuQuantity.format(range.maxMillis());
                }
                if (range.ratioMillis() != null) {
                    long byRatio = mulDiv(request, range.ratioMillis(), 1000);
                    if (byRatio < cap) {
                        cap = byRatio;
                        capReason = "LimitRange " + range.name() + " maxLimitRequestRatio "
                                + CpuQuantity.format(range.ratioMillis());
                    }
                }
            }
            long wanted = switch (settings.mode()) {
                case REMOVE -> Long.MAX_VALUE;
                case MULTIPLY -> new BigDecimal(slot.limitMillis).multiply(settings.factor())
                        .setScale(0, RoundingMode.CEILING).min(BigDecimal.valueOf(Long.MAX_VALUE / 4)).longValue();
                case VALUE -> settings.valueMillis();
            };
            target[i] = Math.min(wanted, cap);
            remove[i] = target[i] == Long.MAX_VALUE;
            if (remove[i] && removalBlocker != null) {
                remove[i] = false;
                target[i] = -1; // decided below: no finite bound, nothing to set instead
            }
        }

        // The pod as a whole: LimitRange Pod max and ratio, quota room.
        long sumLimits = 0;
        long sumRequests = 0;
        for (Slot slot : slots) {
            if (isRunning(slot)) {
                sumLimits += slot.limitMillis == null ? 0 : slot.limitMillis;
                sumRequests += slot.requestMillis != null ? slot.requestMillis
                        : slot.limitMillis == null ? 0 : slot.limitMillis;
            }
        }
        long budget = Long.MAX_VALUE;
        String budgetReason = null;
        for (CpuLimitRange range : ranges) {
            if (!range.isPod()) {
                continue;
            }
            if (range.maxMillis() != null && range.maxMillis() < budget) {
                budget = range.maxMillis();
                budgetReason = "LimitRange " + range.name() + " Pod max " + CpuQuantity.format(range.maxMillis());
            }
            if (range.ratioMillis() != null && sumRequests > 0) {
                long byRatio = mulDiv(sumRequests, range.ratioMillis(), 1000);
                if (byRatio < budget) {
                    budget = byRatio;
                    budgetReason = "LimitRange " + range.name() + " Pod maxLimitRequestRatio "
                            + CpuQuantity.format(range.ratioMillis());
                }
            }
        }
        for (CpuQuota quota : quotas) {
            if (quota.usedMillis() == null) {
                return declined("ResourceQuota " + quota.name() + " has no status yet; not boosted");
            }
            // What the pod may total: what the quota has left (its own original share not yet counted).
            long room = quota.hardMillis() - quota.usedMillis();
            if (room < budget) {
                budget = room;
                budgetReason = "ResourceQuota " + quota.name() + " has " + CpuQuantity.format(Math.max(room, 0))
                        + " of limits.cpu left";
            }
        }
        if (budget != Long.MAX_VALUE) {
            for (int i = 0; i < target.length; i++) {
                if (remove[i] || target[i] == Long.MAX_VALUE || target[i] == -1) {
                    remove[i] = false;
                    target[i] = Long.MAX_VALUE; // bounded by the budget below
                }
            }
        }
        boolean unbounded = false;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                unbounded = true;
                target[i] = candidates.get(i).limitMillis; // stays
            }
        }
        if (unbounded && budget == Long.MAX_VALUE && allAtMost(target, candidates)) {
            return declined(removalBlocker + ", which would put a removed limit back (no max bounds it either);"
                    + " set headstart.cpu-boost.mode to multiply or value");
        }

        // The pod's limits.cpu as quota counts it is max(running containers' sum, largest init
        // container) (resourcehelper.PodLimits); only the sum grows, so the room is budget - sum.
        long[] lifted = share(candidates, target, budget == Long.MAX_VALUE ? Long.MAX_VALUE : budget - sumLimits);
        List<Boost> boosts = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            Slot slot = candidates.get(i);
            if (remove[i]) {
                boosts.add(new Boost(slot.field, slot.index, slot.name, slot.limitText, slot.limitMillis, null,
                        slot.requestMillis == null));
            } else if (lifted[i] > slot.limitMillis) {
                boosts.add(new Boost(slot.field, slot.index, slot.name, slot.limitText, slot.limitMillis, lifted[i],
                        slot.requestMillis == null));
            }
        }
        if (boosts.isEmpty()) {
            String why = budgetReason != null ? budgetReason : capReason != null ? capReason
                    : "the configured boost is not above the containers' own limits";
            return declined("no room to lift a CPU limit: " + why);
        }
        return new CpuBoostPlan(List.copyOf(boosts), null);
    }

    /** Why a limit may not simply be removed here (LimitRange default, quota on limits.cpu), or null. */
    private static String removalBlocker(List<CpuLimitRange> ranges, List<CpuQuota> quotas) {
        for (CpuLimitRange range : ranges) {
            if (range.isContainer() && range.defaultMillis() != null) {
                return "LimitRange " + range.name() + " defaults a CPU limit of " + CpuQuantity.format(range.defaultMillis());
            }
        }
        return quotas.isEmpty() ? null : "ResourceQuota " + quotas.get(0).name() + " requires a limits.cpu on every container";
    }

    private static boolean allAtMost(long[] target, List<Slot> candidates) {
        for (int i = 0; i < target.length; i++) {
            if (target[i] > candidates.get(i).limitMillis) {
                return false;
            }
        }
        return true;
    }

    /**
     * Each container's lifted limit: its target, unless the raises together exceed {@code extra},
     * which is then shared in proportion to the containers' own limits (water-filling: a container
     * that wants less than its share leaves the rest to the others).
     */
    private static long[] share(List<Slot> candidates, long[] target, long extra) {
        long[] lifted = new long[target.length];
        List<Integer> open = new ArrayList<>();
        for (int i = 0; i < target.length; i++) {
            lifted[i] = candidates.get(i).limitMillis;
            if (target[i] > lifted[i]) {
                open.add(i);
            }
        }
        long left = Math.max(extra, 0);
        while (!open.isEmpty() && left > 0) {
            long weights = 0;
            for (int i : open) {
                weights += candidates.get(i).limitMillis;
            }
            boolean settled = false;
            for (var it = open.iterator(); it.hasNext(); ) {
                int i = it.next();
                long want = target[i] - lifted[i];
                long fair = weights == 0 ? left / open.size() : mulDiv(left, candidates.get(i).limitMillis, weights);
                if (want <= fair) {
                    lifted[i] += want;
                    left -= want;
                    it.remove();
                    settled = true;
                }
            }
            if (!settled) {
                long given = 0;
                for (int i : open) {
                    long fair = weights == 0 ? left / open.size() : mulDiv(left, candidates.get(i).limitMillis, weights);
                    lifted[i] += fair;
                    given += fair;
                }
                left -= given;
                break;
            }
        }
        return lifted;
    }

    /** The containers and native sidecars: what runs beside the app (and what resize can change). */
    private static boolean isRunning(Slot slot) {
        return slot.field.equals("containers") || isSidecar(slot.container);
    }

    private static List<Slot> slots(ObjectNode spec) {
        List<Slot> slots = new ArrayList<>();
        for (String field : List.of("containers", "initContainers")) {
            JsonNode list = spec.path(field);
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof ObjectNode container)) {
                    continue;
                }
                JsonNode resources = container.path("resources");
                JsonNode limit = resources.path("limits").path("cpu");
                JsonNode request = resources.path("requests").path("cpu");
                OptionalLong limitMillis = limit.isTextual() || limit.isNumber() ? CpuQuantity.millis(limit.asText())
                        : OptionalLong.empty();
                OptionalLong requestMillis = request.isTextual() || request.isNumber()
                        ? CpuQuantity.millis(request.asText()) : OptionalLong.empty();
                boolean resizable = field.equals("containers") || isSidecar(container);
                boolean candidate = resizable && limitMillis.isPresent() && limitMillis.getAsLong() > 0
                        && (request.isMissingNode() || requestMillis.isPresent())
                        && !restartsOnCpuResize(container) && !container.path("name").asText("").isEmpty();
                slots.add(new Slot(field, i, container, container.path("name").asText(""),
                        limitMillis.isPresent() ? limitMillis.getAsLong() : null, limit.asText(),
                        requestMillis.isPresent() ? requestMillis.getAsLong() : null, candidate));
            }
        }
        return slots;
    }

    /** An init container with {@code restartPolicy: Always}: a native sidecar, running for the pod's life. */
    static boolean isSidecar(JsonNode container) {
        return "Always".equals(container.path("restartPolicy").asText(""));
    }

    /** A container whose CPU resize restarts it: the restart would undo what the boost gained. */
    static boolean restartsOnCpuResize(JsonNode container) {
        for (JsonNode policy : container.path("resizePolicy")) {
            if ("cpu".equals(policy.path("resourceName").asText()) && "RestartContainer".equals(policy.path("restartPolicy").asText())) {
                return true;
            }
        }
        return false;
    }

    private static long mulDiv(long a, long b, long c) {
        return BigDecimal.valueOf(a).multiply(BigDecimal.valueOf(b)).divide(BigDecimal.valueOf(c), 0, RoundingMode.FLOOR)
                .min(BigDecimal.valueOf(Long.MAX_VALUE)).longValue();
    }
}
