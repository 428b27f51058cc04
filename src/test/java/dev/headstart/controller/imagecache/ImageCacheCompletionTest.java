package dev.headstart.controller.imagecache;

import dev.headstart.imagecache.CacheGroup;
import dev.headstart.imagecache.CachePlan;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.headstart.controller.imagecache.ImageCacheFixtures.SETTINGS;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.deployment;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.linuxNode;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.plan;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.running;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.spec;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.waiting;
import static org.assertj.core.api.Assertions.assertThat;

/** A node's cache is complete when its groups' current pods are there and nothing is still pulling. */
class ImageCacheCompletionTest {

    static final CachePlan PLAN = plan(SETTINGS, List.of(deployment("shop", "web",
            spec(List.of("a:1", "b:1"), List.of(), List.of(), List.of()))), List.of(linuxNode("n1", Map.of())));
    static final CacheGroup GROUP = PLAN.groups().get(0);
    static final DaemonSet CACHE = ImageCacheDaemonSet.build(GROUP, SETTINGS);

    static ImageCacheView view() {
        ImageCacheView view = new ImageCacheView(true);
        view.publish(new ImageCacheView.Snapshot(PLAN, Map.of(GROUP.id(), ImageCacheDaemonSet.hashOf(CACHE)), Set.of("n1")));
        return view;
    }

    /** The group's pod as the DaemonSet controller makes it from the template, on the node, with these statuses. */
    static Pod pod(String node, DaemonSet from, ContainerStatus... statuses) {
        return new PodBuilder()
                .withNewMetadata().withName("headstart-image-cache-x").withNamespace(from.getMetadata().getNamespace())
                    .withLabels(from.getSpec().getTemplate().getMetadata().getLabels())
                    .withAnnotations(from.getSpec().getTemplate().getMetadata().getAnnotations()).endMetadata()
                .withSpec(new io.fabric8.kubernetes.api.model.PodSpecBuilder(from.getSpec().getTemplate().getSpec())
                        .withNodeName(node).build())
                .withNewStatus().withContainerStatuses(statuses).endStatus()
                .build();
    }

    String image(int i) {
        return GROUP.images().get(i);
    }

    @Test
    void completeWhenEveryImageRunsAndNotWhileOneIsStillPulling() {
        ImageCacheCompletion done = ImageCacheCompletion.of("n1", view(),
                List.of(pod("n1", CACHE, running("cache-0", image(0)), running("cache-1", image(1)))));
        assertThat(done.complete()).isTrue();
        assertThat(done.failed()).isEmpty();

        ImageCacheCompletion pulling = ImageCacheCompletion.of("n1", view(), List.of(pod("n1", CACHE,
                running("cache-0", image(0)), waiting("cache-1", image(1), "ContainerCreating", null))));
        assertThat(pulling.complete()).isFalse();
        assertThat(pulling.pending()).containsExactly(image(1));
    }

    @Test
    void aFailedImageDoesNotHoldTheNodeAndIsNamed() {
        ImageCacheCompletion completion = ImageCacheCompletion.of("n1", view(), List.of(pod("n1", CACHE,
                waiting("cache-0", image(0), "ImagePullBackOff", "Back-off pulling image \"" + image(0) + "\""),
                running("cache-1", image(1)))));
        assertThat(completion.complete()).isTrue();
        assertThat(completion.failedImages()).containsExactly(image(0) + " (ImagePullBackOff)");
    }

    @Test
    void notCompleteWithoutTheCurrentPodOrBeforeTheNodeIsPlanned() {
        // no pod yet
        assertThat(ImageCacheCompletion.of("n1", view(), List.of()).complete()).isFalse();
        // a pod of an older template (another hash) does not count
        DaemonSet old = ImageCacheDaemonSet.build(GROUP, SETTINGS);
        old.getSpec().getTemplate().getMetadata().getAnnotations().put(ImageCacheDaemonSet.HASH_ANNOTATION, "0ld");
        assertThat(ImageCacheCompletion.of("n1", view(),
                List.of(pod("n1", old, running("cache-0", image(0)), running("cache-1", image(1))))).complete()).isFalse();
        // a node the image cache has not planned with yet (just joined)
        assertThat(ImageCacheCompletion.of("n2", view(), List.of()).complete()).isFalse();
        // nothing planned yet at all
        assertThat(ImageCacheCompletion.of("n1", new ImageCacheView(true), List.of()).complete()).isFalse();
        // no image cache at all: nothing to wait for
        assertThat(ImageCacheCompletion.of("n1", new ImageCacheView(false), List.of()).complete()).isTrue();
    }
}
