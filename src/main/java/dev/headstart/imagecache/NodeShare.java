package dev.headstart.imagecache;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which of the groups that admit one node run there: in rank order, a group whose images the groups
 * already chosen hold is left out (it would pull nothing new), the others are chosen up to the cap.
 * A chosen group that later choices make redundant gives its slot back to the next group that
 * still adds an image. {@code over} are the groups that would add images but did not fit.
 */
record NodeShare(List<CacheGroup> fits, List<CacheGroup> over, List<String> fitIds, List<String> overIds) {

    NodeShare(List<CacheGroup> fits, List<CacheGroup> over) {
        this(fits, over, fits.stream().map(CacheGroup::id).toList(), over.stream().map(CacheGroup::id).toList());
    }

    static NodeShare of(List<CacheGroup> admitted, int cap) {
        Map<String, Set<String>> images = new HashMap<>();
        admitted.forEach(g -> images.put(g.id(), new HashSet<>(g.images())));
        List<CacheGroup> ranked = admitted.stream().sorted(CachePlan.RANK).toList();
        List<CacheGroup> fits = new ArrayList<>();
        boolean changed = true;
        while (changed) {
            changed = false;
            fits.clear();
            for (CacheGroup group : ranked) {
                if (fits.size() < cap && !covered(group, fits, images)) {
                    fits.add(group);
                }
            }
            // a chosen group whose images the other chosen groups hold: drop it, choose again without it
            for (CacheGroup group : fits) {
                List<CacheGroup> others = new ArrayList<>(fits);
                others.remove(group);
                if (covered(group, others, images)) {
                    List<CacheGroup> without = new ArrayList<>(ranked);
                    without.remove(group);
                    ranked = without;
                    changed = true;
                    break;
                }
            }
        }
        List<CacheGroup> over = new ArrayList<>();
        for (CacheGroup group : ranked) {
            if (!fits.contains(group) && !covered(group, fits, images)) {
                over.add(group);
            }
        }
        return new NodeShare(List.copyOf(fits), List.copyOf(over));
    }

    /**
     * Every image of the group is held by one of {@code by} that can pull it as well: a namespace
     * group without secrets does not stand in for one with secrets (the image may be private).
     */
    private static boolean covered(CacheGroup group, List<CacheGroup> by, Map<String, Set<String>> images) {
        boolean needsSecret = !group.shared() && !group.pullSecrets().isEmpty();
        for (String image : group.images()) {
            boolean held = false;
            for (CacheGroup other : by) {
                boolean canPull = !needsSecret || other.shared() || !other.pullSecrets().isEmpty();
                if (canPull && images.get(other.id()).contains(image)) {
                    held = true;
                    break;
                }
            }
            if (!held) {
                return false;
            }
        }
        return true;
    }
}
