package dev.headstart.imagecache;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * One workload's pod template as the planner sees it. {@code serviceAccountPullSecrets} are the
 * {@code imagePullSecrets} of the ServiceAccount its pods run as ({@link #serviceAccountName()}):
 * the ServiceAccount admission plugin copies them into every pod that names none of its own.
 */
public record WorkloadTemplate(String namespace, String kind, String name, PodSpec spec,
                               List<String> serviceAccountPullSecrets, WorkloadDemand demand) {

    public WorkloadTemplate {
        namespace = namespace == null ? "" : namespace;
        demand = demand == null ? WorkloadDemand.ONE_RUNNING : demand;
        serviceAccountPullSecrets = serviceAccountPullSecrets == null ? List.of()
                : serviceAccountPullSecrets.stream().filter(s -> s != null && !s.isBlank()).map(String::trim).toList();
    }

    /** A template taken to run one pod (no workload object to say more). */
    public WorkloadTemplate(String namespace, String kind, String name, PodSpec spec, List<String> serviceAccountPullSecrets) {
        this(namespace, kind, name, spec, serviceAccountPullSecrets, WorkloadDemand.ONE_RUNNING);
    }

    /**
     * The template of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob; empty for
     * other kinds and for objects without a pod spec.
     */
    public static Optional<WorkloadTemplate> of(HasMetadata workload, List<String> serviceAccountPullSecrets) {
        return of(workload, serviceAccountPullSecrets, false);
    }

    /** The same, {@code autoscaled} when an HPA or a KEDA ScaledObject targets the workload. */
    public static Optional<WorkloadTemplate> of(HasMetadata workload, List<String> serviceAccountPullSecrets, boolean autoscaled) {
        return podSpecOf(workload).map(spec -> new WorkloadTemplate(workload.getMetadata().getNamespace(),
                workload.getKind() == null ? workload.getClass().getSimpleName() : workload.getKind(),
                workload.getMetadata().getName(), spec, serviceAccountPullSecrets, WorkloadDemand.of(workload, autoscaled)));
    }

    public static Optional<PodSpec> podSpecOf(HasMetadata workload) {
        PodTemplateSpec template = null;
        if (workload instanceof Deployment d && d.getSpec() != null) {
            template = d.getSpec().getTemplate();
        } else if (workload instanceof StatefulSet s && s.getSpec() != null) {
            template = s.getSpec().getTemplate();
        } else if (workload instanceof DaemonSet d && d.getSpec() != null) {
            template = d.getSpec().getTemplate();
        } else if (workload instanceof ReplicaSet r && r.getSpec() != null) {
            template = r.getSpec().getTemplate();
        } else if (workload instanceof Job j && j.getSpec() != null) {
            template = j.getSpec().getTemplate();
        } else if (workload instanceof CronJob c && c.getSpec() != null && c.getSpec().getJobTemplate() != null
                && c.getSpec().getJobTemplate().getSpec() != null) {
            template = c.getSpec().getJobTemplate().getSpec().getTemplate();
        }
        return Optional.ofNullable(template).map(PodTemplateSpec::getSpec);
    }

    /** The ServiceAccount its pods run as ({@code default} when none is named). */
    public String serviceAccountName() {
        if (spec != null && spec.getServiceAccountName() != null && !spec.getServiceAccountName().isBlank()) {
            return spec.getServiceAccountName();
        }
        if (spec != null && spec.getServiceAccount() != null && !spec.getServiceAccount().isBlank()) {
            return spec.getServiceAccount();
        }
        return "default";
    }

    /** {@code namespace/Kind/name}. */
    public String id() {
        return namespace + "/" + kind + "/" + name;
    }

    /**
     * The secrets its pods pull with (sorted): their own, or, when they name none, their
     * ServiceAccount's (the ServiceAccount admission plugin copies those only into a pod whose
     * {@code imagePullSecrets} is empty: {@code plugin/pkg/admission/serviceaccount/admission.go}).
     */
    public List<String> pullSecrets() {
        TreeSet<String> names = new TreeSet<>();
        if (spec != null && spec.getImagePullSecrets() != null) {
            spec.getImagePullSecrets().stream().filter(Objects::nonNull).map(LocalObjectReference::getName)
                    .filter(n -> n != null && !n.isBlank()).map(String::trim).forEach(names::add);
        }
        if (spec == null || spec.getImagePullSecrets() == null || spec.getImagePullSecrets().isEmpty()) {
            names.addAll(serviceAccountPullSecrets);
        }
        return List.copyOf(names);
    }

    /** Images of its init containers and containers, trimmed, without the excluded ones (sorted). */
    public List<String> images(CachePolicy policy) {
        if (spec == null) {
            return List.of();
        }
        TreeSet<String> images = new TreeSet<>();
        Stream.concat(list(spec.getInitContainers()).stream(), list(spec.getContainers()).stream())
                .filter(Objects::nonNull)
                .map(Container::getImage)
                .filter(Objects::nonNull)
                .map(String::trim)
                .filter(image -> !image.isEmpty() && !policy.excluded(image))
                .forEach(images::add);
        return List.copyOf(images);
    }

    private static <T> List<T> list(List<T> maybe) {
        return maybe == null ? List.of() : maybe;
    }
}
