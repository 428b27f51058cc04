package dev.headstart.controller.headroom;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a pool's pause pods are spread over zones: at least {@code minPerZone} in every zone (so a
 * scale-up in any zone finds room at once), the rest one by one in zone-name order, so the counts
 * differ by at most one beyond the minimum and the same inputs always give the same split.
 */
public final class ZoneSpread {

    private ZoneSpread() {
    }

    /** Replicas per zone, zones sorted by name; the total is at least {@code minPerZone} per zone. */
    public static Map<String, Integer> distribute(int planned, Collection<String> zones, int minPerZone) {
        List<String> sorted = zones.stream().distinct().sorted().toList();
        Map<String, Integer> split = new LinkedHashMap<>();
        if (sorted.isEmpty()) {
            return split;
        }
        long floor = (long) minPerZone * sorted.size();
        long total = Math.max(planned, floor);
        long rest = total - floor;
        long each = rest / sorted.size();
        long extra = rest % sorted.size();
        for (int i = 0; i < sorted.size(); i++) {
            long n = minPerZone + each + (i < extra ? 1 : 0);
            split.put(sorted.get(i), (int) Math.min(n, Integer.MAX_VALUE));
        }
        return split;
    }
}
