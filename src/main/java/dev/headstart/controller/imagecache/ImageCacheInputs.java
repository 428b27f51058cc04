package dev.headstart.controller.imagecache;

import dev.headstart.controller.informers.ControllerKinds;
import dev.headstart.controller.informers.OptedInInformers;
import dev.headstart.imagecache.WorkloadTemplate;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What the controller plans from, read from its shared informers of the opted-in namespaces: the
 * workloads as the planner's templates ({@link ImageCachePlanner#templates}, the same reading
 * {@code headstart images} does), and which workloads use each image (for the Events and
 * PolicyReports of failed images). Only names and references are kept, never the objects.
 *
 * @param templates  the workloads' templates
 * @param imageUsers image → the workloads that use it
 */
record ImageCacheInputs(List<WorkloadTemplate> templates, Map<String, List<WorkloadRef>> imageUsers) {

    /** The opted-in namespaces' workloads; images the settings exclude have no users. */
    static ImageCacheInputs read(OptedInInformers informers, List<String> namespaces, ImageCacheSettings settings) {
        List<WorkloadTemplate> templates = new ArrayList<>();
        Map<String, List<WorkloadRef>> imageUsers = new TreeMap<>();
        for (String namespace : namespaces) {
            List<HasMetadata> objects = new ArrayList<>();
            objects.addAll(informers.inNamespace(ControllerKinds.DEPLOYMENTS, namespace));
            objects.addAll(informers.inNamespace(ControllerKinds.STATEFUL_SETS, namespace));
            objects.addAll(informers.inNamespace(ControllerKinds.DAEMON_SETS, namespace));
            objects.addAll(informers.inNamespace(ControllerKinds.CRON_JOBS, namespace));
            List<WorkloadTemplate> inNamespace = ImageCachePlanner.templates(objects,
                    accountSecrets(informers, namespace), autoscaled(informers, namespace));
            templates.addAll(inNamespace);
            Map<String, String> uids = new HashMap<>();
            objects.forEach(o -> uids.put(ImageCachePlanner.kindOf(o) + "/" + o.getMetadata().getName(), o.getMetadata().getUid()));
            for (WorkloadTemplate template : inNamespace) {
                WorkloadRef ref = new WorkloadRef(WorkloadRef.apiVersionOf(template.kind()), template.kind(), namespace,
                        template.name(), uids.get(template.kind() + "/" + template.name()));
                images(template.spec()).filter(image -> !settings.excluded(image))
                        .forEach(image -> imageUsers.computeIfAbsent(image, i -> new ArrayList<>()).add(ref));
            }
        }
        return new ImageCacheInputs(templates, imageUsers);
    }

    /** {@code namespace/name} of each ServiceAccount → its pull secrets. */
    private static Map<String, List<String>> accountSecrets(OptedInInformers informers, String namespace) {
        Map<String, List<String>> secrets = new HashMap<>();
        for (ServiceAccount account : informers.inNamespace(ControllerKinds.SERVICE_ACCOUNTS, namespace)) {
            secrets.put(namespace + "/" + account.getMetadata().getName(), account.getImagePullSecrets() == null ? List.of()
                    : account.getImagePullSecrets().stream().filter(Objects::nonNull).map(LocalObjectReference::getName)
                            .filter(n -> n != null && !n.isBlank()).toList());
        }
        return secrets;
    }

    /** {@code namespace/Kind/name} of each workload an HPA targets. */
    private static Set<String> autoscaled(OptedInInformers informers, String namespace) {
        Set<String> autoscaled = new HashSet<>();
        for (HorizontalPodAutoscaler hpa : informers.inNamespace(ControllerKinds.AUTOSCALERS, namespace)) {
            if (hpa.getSpec() != null && hpa.getSpec().getScaleTargetRef() != null) {
                autoscaled.add(namespace + "/" + hpa.getSpec().getScaleTargetRef().getKind() + "/"
                        + hpa.getSpec().getScaleTargetRef().getName());
            }
        }
        return autoscaled;
    }

    /** The distinct images of its init containers and containers, trimmed. */
    private static Stream<String> images(PodSpec spec) {
        return Stream.concat(list(spec.getInitContainers()).stream(), list(spec.getContainers()).stream())
                .filter(Objects::nonNull).map(Container::getImage).filter(Objects::nonNull).map(String::trim)
                .filter(image -> !image.isEmpty()).distinct();
    }

    private static <T> List<T> list(List<T> maybe) {
        return maybe == null ? List.of() : maybe;
    }
}
