package dev.headstart.controller.informers;

import dev.headstart.controller.imagecache.ImageCacheDaemonSet;
import dev.headstart.controller.imagecache.ImageCacheSettings;
import dev.headstart.controller.warmpool.WarmupTaint;
import dev.headstart.imagecache.CacheGroup;
import dev.headstart.imagecache.CachePlan;
import dev.headstart.imagecache.CachePolicy;
import dev.headstart.imagecache.NodeFacts;
import dev.headstart.imagecache.WorkloadTemplate;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the image-cache pod informer ({@link ControllerKinds#IMAGE_CACHE_PODS}) costs per (node,
 * image): builds each group's DaemonSet as the reconciler does, then for every node the pod the
 * DaemonSet controller and the kubelet would make of it (owner reference, managedFields, the full
 * spec, an init-container status, one running container status per image with image and container
 * ids, conditions), serialised and read back as a watch delivers it, and puts it in the store with
 * the kind's kept fields. Prints the heap after a full GC per (node, image) pair and per pod.
 *
 * <pre>
 * ./mvnw -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -XX:+UseSerialGC -Xmx1g -cp target/test-classes:target/classes:$(cat target/cp.txt) \
 *     dev.headstart.controller.informers.CachePodStoreHeapHarness 5000 3 10 [slim|with-spec]
 * </pre>
 * (nodes, groups per node, images per group)
 */
public final class CachePodStoreHeapHarness {

    private CachePodStoreHeapHarness() {
    }

    public static void main(String[] args) {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int groups = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int images = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        // "with-spec": also keep spec.containers, for comparison (what CachePodStatus would read without the annotation)
        boolean withSpec = args.length > 3 && args[3].equals("with-spec");
        KubernetesSerialization serialization = new KubernetesSerialization();
        List<DaemonSet> daemonSets = daemonSets(groups, images);
        CachedKind<Pod> kind = ControllerKinds.IMAGE_CACHE_PODS;
        // "slim": fabric8's ReducedStateItemStore of the same fields, for comparison (what the kind used before)
        boolean slim = withSpec || args.length > 3 && args[3].equals("slim");
        List<String> fields = new ArrayList<>(kind.storedFields());
        if (withSpec) {
            fields.add("spec.containers");
        }
        io.fabric8.kubernetes.client.informers.cache.ItemStore<Pod> store = slim
                ? new SlimItemStore<>(Pod.class, serialization, fields, kind.keptAnnotations()) : kind.store().get();
        // warm up (classes, serializer caches) outside the measure
        kind.store().get().put("x", serialization.unmarshal(serialization.asJson(pod(daemonSets.get(0), "warm-up", 0)), Pod.class));
        new SlimItemStore<>(Pod.class, serialization, kind.storedFields(), kind.keptAnnotations())
                .put("x", serialization.unmarshal(serialization.asJson(pod(daemonSets.get(0), "warm-up", 0)), Pod.class));
        long before = usedAfterGc();
        long bytes = 0;
        for (int n = 0; n < nodes; n++) {
            for (DaemonSet ds : daemonSets) {
                String json = serialization.asJson(pod(ds, "ip-10-0-" + (n / 250) + "-" + (n % 250) + ".ec2.internal", n));
                bytes += json.length();
                Pod pod = serialization.unmarshal(json, Pod.class); // as the watch delivers it
                store.put(store.getKey(pod), pod);
            }
        }
        long after = usedAfterGc();
        long pairs = (long) nodes * groups * images;
        System.out.printf("IMAGE_CACHE_PODS store%s: %d nodes x %d groups x %d images = %d pods, %d (node, image) pairs;"
                        + " %d bytes of JSON per pod as served; heap after a full GC: %d bytes per pod, %d bytes per"
                        + " (node, image), %.1f MiB in all%n",
                withSpec ? " (SlimItemStore + spec.containers)" : slim ? " (SlimItemStore)" : " (CachePodStore)", nodes, groups, images, store.size(), pairs, bytes / store.size(), (after - before) / store.size(),
                (after - before) / pairs, (after - before) / (double) (1 << 20));
    }

    /** {@code groups} groups of one workload each (each its own node selector), as the reconciler builds them. */
    static List<DaemonSet> daemonSets(int groups, int images) {
        ImageCacheSettings settings = new ImageCacheSettings("busybox:1.36.1-musl", List.of(),
                WarmupTaint.parse("headstart.dev/warmup=true:NoSchedule"), Duration.ofSeconds(2)).withMaxPodsPerNode(groups);
        List<WorkloadTemplate> templates = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            PodSpecBuilder spec = new PodSpecBuilder().withNodeSelector(Map.of("team", "t" + g));
            for (int i = 0; i < images; i++) {
                spec.addNewContainer().withName("c" + i)
                        .withImage("123456789012.dkr.ecr.us-east-1.amazonaws.com/team-" + g + "/service-" + i + ":2.14." + i)
                        .endContainer();
            }
            templates.add(new WorkloadTemplate("shop", "Deployment", "svc-" + g, spec.build(), List.of()));
        }
        List<NodeFacts> facts = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            facts.add(NodeFacts.of(new NodeBuilder().withNewMetadata().withName("n" + g)
                    .withLabels(Map.of("kubernetes.io/os", "linux", "team", "t" + g)).endMetadata().build()));
        }
        CachePlan plan = CachePlan.of(templates, facts, new CachePolicy("headstart-system", groups, List.of(),
                settings.nodeCredentialRegistries(), settings.transientTaintKeys(),
                List.of(settings.warmupTaint().toleration()), Map.of()));
        List<DaemonSet> out = new ArrayList<>();
        for (CacheGroup group : plan.groups()) {
            out.add(ImageCacheDaemonSet.build(group, settings));
        }
        return out;
    }

    static Pod pod(DaemonSet ds, String node, int n) {
        String created = Instant.parse("2026-11-27T00:00:00Z").plusSeconds(n).toString();
        List<ContainerStatus> statuses = new ArrayList<>();
        ds.getSpec().getTemplate().getSpec().getContainers().forEach(c -> statuses.add(new ContainerStatusBuilder()
                .withName(c.getName()).withImage(c.getImage()).withReady(true).withStarted(true).withRestartCount(0)
                .withImageID(c.getImage().replaceAll(":[^:/]+$", "") + "@sha256:" + "0123456789abcdef".repeat(4))
                .withContainerID("containerd://" + UUID.randomUUID().toString().replace("-", "").repeat(2))
                .withNewState().withNewRunning().withStartedAt(created).endRunning().endState().build()));
        return new PodBuilder()
                .withNewMetadata()
                    .withName(ds.getMetadata().getName() + "-" + Integer.toString(n, 36))
                    .withGenerateName(ds.getMetadata().getName() + "-")
                    .withNamespace(ds.getMetadata().getNamespace())
                    .withUid(UUID.randomUUID().toString())
                    .withResourceVersion(Long.toString(100_000_000L + n))
                    .withCreationTimestamp(created)
                    .withLabels(ds.getSpec().getTemplate().getMetadata().getLabels())
                    .addToLabels("controller-revision-hash", "7d9c5b6f8")
                    .addToLabels("pod-template-generation", "3")
                    .withAnnotations(ds.getSpec().getTemplate().getMetadata().getAnnotations())
                    .addNewOwnerReference().withApiVersion("apps/v1").withKind("DaemonSet")
                        .withName(ds.getMetadata().getName()).withUid(UUID.randomUUID().toString())
                        .withController(true).withBlockOwnerDeletion(true).endOwnerReference()
                    .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kube-controller-manager")
                            .withOperation("Update").withApiVersion("v1").withTime(created).withFieldsType("FieldsV1")
                            .build(),
                        new ManagedFieldsEntryBuilder().withManager("kubelet").withOperation("Update")
                            .withApiVersion("v1").withTime(created).withFieldsType("FieldsV1").withSubresource("status")
                            .build())
                .endMetadata()
                .withSpec(new PodSpecBuilder(ds.getSpec().getTemplate().getSpec()).withNodeName(node).build())
                .withNewStatus().withPhase("Running").withHostIP("10.0.12.34").withPodIP("10.0.40.17")
                    .withStartTime(created)
                    .addNewCondition().withType("Ready").withStatus("True").withLastTransitionTime(created).endCondition()
                    .addNewCondition().withType("Initialized").withStatus("True").withLastTransitionTime(created).endCondition()
                    .addNewCondition().withType("ContainersReady").withStatus("True").withLastTransitionTime(created).endCondition()
                    .addNewCondition().withType("PodScheduled").withStatus("True").withLastTransitionTime(created).endCondition()
                    .addNewInitContainerStatus().withName(ImageCacheDaemonSet.INSTALLER).withImage("busybox:1.36.1-musl")
                        .withReady(true).withRestartCount(0)
                        .withNewState().withNewTerminated().withExitCode(0).withReason("Completed")
                            .withStartedAt(created).withFinishedAt(created).endTerminated().endState()
                    .endInitContainerStatus()
                    .withContainerStatuses(statuses)
                .endStatus()
                .build();
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
