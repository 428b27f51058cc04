package dev.headstart.controller.imagecache;

import java.util.Locale;

/** A workload the image cache serves, as Events and PolicyReports name it. */
record WorkloadRef(String apiVersion, String kind, String namespace, String name, String uid) {

    /** {@code namespace/Kind/name}, the form {@code CacheGroup.workloads()} uses. */
    String key() {
        return namespace + "/" + kind + "/" + name;
    }

    static String apiVersionOf(String kind) {
        return switch (kind.toLowerCase(Locale.ROOT)) {
            case "cronjob", "job" -> "batch/v1";
            default -> "apps/v1";
        };
    }
}
