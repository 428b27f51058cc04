package dev.headstart.telemetry;

import java.util.Arrays;

/**
 * A growing list of primitive doubles: 8 bytes a value where a {@code List<Double>} takes ~24, so
 * the report of a dump of 150,000 pods keeps its phase figures in a few MiB.
 */
final class Doubles {

    private double[] values = new double[16];
    private int size;

    void add(double value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = value;
    }

    Summary summary() {
        return Summary.ofSorted(sorted());
    }

    private double[] sorted() {
        double[] copy = Arrays.copyOf(values, size);
        Arrays.sort(copy);
        return copy;
    }
}
