package dev.headstart.controller.imagecache;

import dev.headstart.controller.warmpool.WarmupTaint;
import dev.headstart.imagecache.CacheGroup;
import dev.headstart.imagecache.CachePlan;
import dev.headstart.imagecache.CachePolicy;
import dev.headstart.imagecache.NodeFacts;
import dev.headstart.imagecache.WorkloadTemplate;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Toleration;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class ImageCacheFixtures {

    static final ImageCacheSettings SETTINGS = new ImageCacheSettings("busybox:1.36.1-musl",
            List.of("registry.example.com/huge/*", "debug:latest"),
            WarmupTaint.parse("headstart.dev/warmup=true:NoSchedule"), Duration.ofMillis(50));

    private ImageCacheFixtures() {
    }

    static PodSpec spec(List<String> images, List<String> initImages, List<String> secrets, List<Toleration> tolerations) {
        PodSpecBuilder builder = new PodSpecBuilder();
        for (int i = 0; i < images.size(); i++) {
            builder.addNewContainer().withName("c" + i).withImage(images.get(i)).endContainer();
        }
        for (int i = 0; i < initImages.size(); i++) {
            builder.addNewInitContainer().withName("i" + i).withImage(initImages.get(i)).endInitContainer();
        }
        secrets.forEach(s -> builder.addNewImagePullSecret(s));
        return builder.withTolerations(tolerations).build();
    }

    static CachePolicy policy(ImageCacheSettings settings) {
        return settings.policy(); // what the reconciler plans with
    }

    static NodeFacts linuxNode(String name, Map<String, String> labels) {
        Map<String, String> all = new LinkedHashMap<>(Map.of("kubernetes.io/os", "linux", "kubernetes.io/arch", "amd64"));
        all.putAll(labels);
        return NodeFacts.of(new NodeBuilder().withNewMetadata().withName(name).withLabels(all).endMetadata()
                .withNewSpec().endSpec().build());
    }

    static WorkloadTemplate deployment(String namespace, String name, PodSpec spec) {
        return new WorkloadTemplate(namespace, "Deployment", name, spec, List.of());
    }

    static CachePlan plan(ImageCacheSettings settings, List<WorkloadTemplate> templates, List<NodeFacts> nodes) {
        return CachePlan.of(templates, nodes, policy(settings));
    }

    /** The one group of one workload in "shop" on one node "n1". */
    static CacheGroup group(List<String> images, List<String> secrets) {
        CachePlan plan = plan(SETTINGS, List.of(deployment("shop", "web", spec(images, List.of(), secrets, List.of()))),
                List.of(linuxNode("n1", Map.of())));
        if (plan.groups().size() != 1) {
            throw new IllegalStateException("expected one group: " + plan.groups());
        }
        return plan.groups().get(0);
    }

    static ContainerStatus running(String name, String image) {
        return new ContainerStatusBuilder().withName(name).withImage(image).withReady(true).withStarted(true)
                .withNewState().withNewRunning().withStartedAt("2026-11-27T10:00:00Z").endRunning().endState().build();
    }

    static ContainerStatus waiting(String name, String image, String reason, String message) {
        return new ContainerStatusBuilder().withName(name).withImage(image).withReady(false).withStarted(false)
                .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState().build();
    }
}
