package dev.headstart.controller.imagecache;

import dev.headstart.imagecache.CacheGroup;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.headstart.controller.imagecache.ImageCacheFixtures.SETTINGS;
import static dev.headstart.controller.imagecache.ImageCacheFixtures.group;
import static org.assertj.core.api.Assertions.assertThat;

/** A large group is split into DaemonSets of under 16 KiB each, all on the group's nodes, with little churn. */
class ImageCacheShardsTest {

    static List<String> images(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team-" + i + "/service-" + i + ":v1." + i)
                .toList();
    }

    static List<String> imagesOf(DaemonSet ds) {
        return ds.getSpec().getTemplate().getSpec().getContainers().stream().map(c -> c.getImage()).toList();
    }

    @Test
    void twoHundredImagesAreShardsUnder16KiBOnTheSameNodes() {
        CacheGroup group = group(images(200), List.of());
        DaemonSet whole = ImageCacheDaemonSet.build(group, SETTINGS);
        assertThat(ImageCacheShards.templateBytes(whole)).isGreaterThan(ImageCacheShards.MAX_TEMPLATE_BYTES);

        List<DaemonSet> shards = ImageCacheShards.build(group, SETTINGS);
        assertThat(shards).hasSizeGreaterThan(1);
        for (DaemonSet shard : shards) {
            assertThat(ImageCacheShards.templateBytes(shard)).isLessThan(16 * 1024);
            var spec = shard.getSpec().getTemplate().getSpec();
            assertThat(spec.getNodeSelector()).isEqualTo(whole.getSpec().getTemplate().getSpec().getNodeSelector());
            assertThat(spec.getAffinity()).isEqualTo(whole.getSpec().getTemplate().getSpec().getAffinity());
            assertThat(spec.getTolerations()).isEqualTo(whole.getSpec().getTemplate().getSpec().getTolerations());
            assertThat(shard.getMetadata().getLabels()).containsEntry(ImageCacheDaemonSet.GROUP_LABEL, group.id());
            assertThat(ImageCacheDaemonSet.isOurs(shard)).isTrue();
            // each selector matches its own pods and no other shard's
            Map<String, String> selector = shard.getSpec().getSelector().getMatchLabels();
            for (DaemonSet other : shards) {
                boolean matches = other.getSpec().getTemplate().getMetadata().getLabels().entrySet()
                        .containsAll(selector.entrySet());
                assertThat(matches).isEqualTo(other == shard);
            }
        }
        assertThat(shards.stream().map(ds -> ds.getMetadata().getName()).distinct()).hasSize(shards.size());
        assertThat(shards.stream().flatMap(ds -> imagesOf(ds).stream()).sorted().toList())
                .isEqualTo(group.images());
    }

    @Test
    void addingOrRemovingOneImageRewritesAtMostOneShard() {
        List<String> before = images(200);
        List<String> added = new ArrayList<>(before);
        added.add("registry.example.com/new/one:1");
        List<String> removed = before.subList(1, before.size());
        Map<String, String> was = hashes(ImageCacheShards.build(group(before, List.of()), SETTINGS));
        for (List<String> after : List.of(added, removed)) {
            Map<String, String> is = hashes(ImageCacheShards.build(group(after, List.of()), SETTINGS));
            assertThat(is.keySet()).isEqualTo(was.keySet());
            long changed = is.keySet().stream().filter(name -> !is.get(name).equals(was.get(name))).count();
            assertThat(changed).isEqualTo(1);
        }
    }

    @Test
    void aSmallGroupIsTheOneDaemonSetItAlwaysWas() {
        CacheGroup group = group(images(10), List.of());
        assertThat(ImageCacheShards.build(group, SETTINGS)).singleElement().satisfies(ds -> {
            assertThat(ds).isEqualTo(ImageCacheDaemonSet.build(group, SETTINGS));
            assertThat(ds.getMetadata().getName()).isEqualTo(ImageCacheDaemonSet.name(group));
            assertThat(ds.getMetadata().getLabels()).doesNotContainKey(ImageCacheDaemonSet.SHARD_LABEL);
        });
    }

    @Test
    void longImageNamesStillFitByDoublingTheShards() {
        List<String> long_ = IntStream.range(0, 64).mapToObj(i -> "registry.example.com/" + "x".repeat(600) + "/img-" + i + ":1")
                .toList();
        List<DaemonSet> shards = ImageCacheShards.build(group(long_, List.of()), SETTINGS);
        assertThat(shards).allSatisfy(ds -> assertThat(ImageCacheShards.templateBytes(ds)).isLessThan(16 * 1024));
        assertThat(shards.stream().flatMap(ds -> imagesOf(ds).stream()).collect(Collectors.toSet()))
                .isEqualTo(Set.copyOf(long_));
    }

    static Map<String, String> hashes(List<DaemonSet> shards) {
        Map<String, String> out = new TreeMap<>();
        shards.forEach(ds -> out.put(ds.getMetadata().getName(), ImageCacheDaemonSet.hashOf(ds)));
        return out;
    }
}
