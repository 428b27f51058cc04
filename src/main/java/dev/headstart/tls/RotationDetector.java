package dev.headstart.tls;

import java.util.Objects;

/**
 * Decides when rotated certificate files are ready to load: they changed since the last load, and
 * did not change since the previous look, so a pair half-written by a non-atomic writer (new key,
 * old certificate) is never loaded. Kubelet's atomic Secret-volume swap is picked up one look later.
 */
final class RotationDetector {

    private String loaded;
    private String previous;

    RotationDetector(String initial) {
        this.loaded = initial;
        this.previous = initial;
    }

    /** @return whether the files should be loaded now */
    boolean observe(String current) {
        boolean settled = Objects.equals(current, previous);
        previous = current;
        if (current == null || !settled || current.equals(loaded)) {
            return false;
        }
        loaded = current;
        return true;
    }
}
