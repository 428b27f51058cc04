package dev.headstart.telemetry;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Collection;
import java.util.OptionalDouble;

/**
 * count, p50, p90, p99 and max of a set of durations in seconds. Percentiles by nearest rank: the
 * value at rank ⌈p/100 × n⌉ of the sorted values, so every figure is one that was observed.
 */
public record Summary(int count, OptionalDouble p50, OptionalDouble p90, OptionalDouble p99, OptionalDouble max) {

    public static final Summary EMPTY = new Summary(0, OptionalDouble.empty(), OptionalDouble.empty(),
            OptionalDouble.empty(), OptionalDouble.empty());

    public static Summary of(Collection<Double> values) {
        if (values.isEmpty()) {
            return EMPTY;
        }
        return ofSorted(values.stream().mapToDouble(Double::doubleValue).sorted().toArray());
    }

    /** The summary of values already sorted in ascending order. */
    static Summary ofSorted(double[] sorted) {
        if (sorted.length == 0) {
            return EMPTY;
        }
        return new Summary(sorted.length, rank(sorted, 50), rank(sorted, 90), rank(sorted, 99),
                OptionalDouble.of(sorted[sorted.length - 1]));
    }

    private static OptionalDouble rank(double[] sorted, int percent) {
        // ⌈p/100 × n⌉ in integers: no floating-point rounding at exact ranks.
        int rank = (percent * sorted.length + 99) / 100;
        return OptionalDouble.of(sorted[Math.max(rank, 1) - 1]);
    }

    /** {@code {"count": n, "p50": x, "p90": x, "p99": x, "max": x}}, figures null when count is 0. */
    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("count", count);
        figure(json, "p50", p50);
        figure(json, "p90", p90);
        figure(json, "p99", p99);
        figure(json, "max", max);
        return json;
    }

    private static void figure(ObjectNode json, String name, OptionalDouble value) {
        if (value.isPresent()) {
            json.put(name, value.getAsDouble());
        } else {
            json.putNull(name);
        }
    }
}
