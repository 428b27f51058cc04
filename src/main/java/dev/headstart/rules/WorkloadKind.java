package dev.headstart.rules;

import java.util.List;
import java.util.Optional;

/** The kinds that carry a pod spec, and where in each the pod template lives. */
public enum WorkloadKind {
    POD("v1", "Pod", List.of()),
    DAEMON_SET("apps/v1", "DaemonSet", List.of("spec", "template")),
    DEPLOYMENT("apps/v1", "Deployment", List.of("spec", "template")),
    STATEFUL_SET("apps/v1", "StatefulSet", List.of("spec", "template")),
    REPLICA_SET("apps/v1", "ReplicaSet", List.of("spec", "template")),
    JOB("batch/v1", "Job", List.of("spec", "template")),
    CRON_JOB("batch/v1", "CronJob", List.of("spec", "jobTemplate", "spec", "template"));

    private final String apiVersion;
    private final String kind;
    private final List<String> templatePath;

    WorkloadKind(String apiVersion, String kind, List<String> templatePath) {
        this.apiVersion = apiVersion;
        this.kind = kind;
        this.templatePath = templatePath;
    }

    /** Matches on kind and API group; the version is not checked so older served versions pass. */
    public static Optional<WorkloadKind> of(String apiVersion, String kind) {
        for (WorkloadKind k : values()) {
            if (k.kind.equals(kind) && group(k.apiVersion).equals(group(apiVersion))) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    private static String group(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    public String kindName() {
        return kind;
    }

    List<String> templatePath() {
        return templatePath;
    }
}
