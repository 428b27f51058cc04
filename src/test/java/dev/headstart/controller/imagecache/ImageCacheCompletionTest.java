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
        view.publish(new ImageCacheView.Snapshot(PLAN, Map.of(GROUP.id(), List.of(ImageCacheView.Shard.of(CACHE))), Set.of("n1")));
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

    @Test
    void aShardedGroupIsCompleteOnlyWhenEveryShardsPodHasItsImages() {
        List<String> many = ImageCacheShardsTest.images(60);
        CachePlan plan = plan(SETTINGS, List.of(deployment("shop", "web", spec(many, List.of(), List.of(), List.of()))),
                List.of(linuxNode("n1", Map.of())));
        CacheGroup group = plan.groups().get(0);
        List<DaemonSet> shards = ImageCacheShards.build(group, SETTINGS);
        assertThat(shards).hasSizeGreaterThan(1);
        ImageCacheView view = new ImageCacheView(true);
        view.publish(new ImageCacheView.Snapshot(plan,
                Map.of(group.id(), shards.stream().map(ImageCacheView.Shard::of).toList()), Set.of("n1")));

        List<Pod> all = shards.stream().map(ds -> pod("n1", ds, allRunning(ds))).toList();
        assertThat(ImageCacheCompletion.of("n1", view, all).complete()).isTrue();

        // one shard's pod not there yet: its images, and only its, are pending
        DaemonSet missing = shards.get(1);
        List<Pod> withoutOne = all.stream().filter(p -> !ImageCacheDaemonSet.hashOf(missing).equals(
                p.getMetadata().getAnnotations().get(ImageCacheDaemonSet.HASH_ANNOTATION))).toList();
        ImageCacheCompletion partial = ImageCacheCompletion.of("n1", view, withoutOne);
        assertThat(partial.complete()).isFalse();
        assertThat(partial.pending()).containsExactlyInAnyOrderElementsOf(ImageCacheView.Shard.of(missing).images());

        // every shard's pod there, one image of one shard still pulling
        DaemonSet last = shards.get(shards.size() - 1);
        ContainerStatus[] statuses = allRunning(last);
        String pulling = statuses[0].getImage();
        statuses[0] = waiting("cache-0", pulling, "ContainerCreating", null);
        List<Pod> oneStillPulling = new java.util.ArrayList<>(all.subList(0, all.size() - 1));
        oneStillPulling.add(pod("n1", last, statuses));
        ImageCacheCompletion stillPulling = ImageCacheCompletion.of("n1", view, oneStillPulling);
        assertThat(stillPulling.complete()).isFalse();
        assertThat(stillPulling.pending()).containsExactly(pulling);
    }

    static ContainerStatus[] allRunning(DaemonSet ds) {
        var containers = ds.getSpec().getTemplate().getSpec().getContainers();
        ContainerStatus[] out = new ContainerStatus[containers.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = running(containers.get(i).getName(), containers.get(i).getImage());
        }
        return out;
    }
}
