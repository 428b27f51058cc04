package dev.headstart.controller.imagecache;

import dev.headstart.controller.warmpool.WarmupTaint;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Toleration;

import java.time.Duration;
import java.util.List;

final class ImageCacheFixtures {

    static final ImageCacheSettings SETTINGS = new ImageCacheSettings("busybox:1.36.1-musl", "registry.k8s.io/pause:3.10",
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
}
