package dev.headstart.imagecache;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;

import java.util.List;

/**
 * Whether tolerations let a pod onto a node's taints, as the scheduler's TaintToleration filter
 * decides ({@code pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go}): only
 * {@code NoSchedule} and {@code NoExecute} taints count ({@code PreferNoSchedule} only scores), and
 * each must be tolerated by some toleration ({@code Toleration.ToleratesTaint},
 * {@code staging/src/k8s.io/api/core/v1/toleration.go}).
 */
final class TaintToleration {

    static final String NO_SCHEDULE = "NoSchedule";
    static final String NO_EXECUTE = "NoExecute";
    static final String PREFER_NO_SCHEDULE = "PreferNoSchedule";

    private TaintToleration() {
    }

    /** The taint keeps pods off the node: NoSchedule or NoExecute. */
    static boolean repels(Taint taint) {
        return NO_SCHEDULE.equals(taint.getEffect()) || NO_EXECUTE.equals(taint.getEffect());
    }

    /**
     * {@code ToleratesTaint}: an empty effect matches every effect; an empty key every key; an empty
     * operator is {@code Equal} (values compared, absent = empty); {@code Exists} matches every
     * value; {@code Lt}/{@code Gt} compare the taint's value with the toleration's as 64-bit
     * integers (false when either does not parse); any other operator tolerates nothing.
     */
    static boolean tolerates(Toleration toleration, Taint taint) {
        if (!empty(toleration.getEffect()) && !toleration.getEffect().equals(taint.getEffect())) {
            return false;
        }
        if (!empty(toleration.getKey()) && !toleration.getKey().equals(taint.getKey())) {
            return false;
        }
        String operator = toleration.getOperator() == null ? "" : toleration.getOperator();
        return switch (operator) {
            case "", "Equal" -> nullToEmpty(toleration.getValue()).equals(nullToEmpty(taint.getValue()));
            case "Exists" -> true;
            case "Lt", "Gt" -> compare(operator, toleration.getValue(), taint.getValue());
            default -> false;
        };
    }

    static boolean tolerated(List<Toleration> tolerations, Taint taint) {
        return tolerations.stream().anyMatch(t -> tolerates(t, taint));
    }

    private static boolean compare(String operator, String tolerationValue, String taintValue) {
        long toleration;
        long taint;
        try {
            toleration = Long.parseLong(nullToEmpty(tolerationValue));
            taint = Long.parseLong(nullToEmpty(taintValue));
        } catch (NumberFormatException e) {
            return false;
        }
        return operator.equals("Lt") ? taint < toleration : taint > toleration;
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
