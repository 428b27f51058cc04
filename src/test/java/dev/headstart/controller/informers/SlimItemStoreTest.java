package dev.headstart.controller.informers;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** What fabric8's stale scan after each list ({@code values()}) gets rebuilt, and what it does not. */
class SlimItemStoreTest {

    final AtomicBoolean watching = new AtomicBoolean();
    final SlimItemStore<Pod> store = new SlimItemStore<>(Pod.class, new KubernetesSerialization(), List.of("metadata.uid"));

    static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withNamespace("shop").withName(name).withUid("uid-" + name)
                .withResourceVersion("7").endMetadata().withNewSpec().withNodeName("n1").endSpec().build();
    }

    void put(String... names) {
        for (String name : names) {
            store.put("shop/" + name, pod(name));
        }
    }

    static List<String> names(java.util.stream.Stream<Pod> pods) {
        return pods.map(p -> p.getMetadata().getName() + ":" + p.getMetadata().getUid()).sorted().toList();
    }

    @Test
    void afterAFirstListTheStaleScanRebuildsNothingWhileTheStoreKeepsEverything() {
        store.watching(watching::get);
        put("a", "b"); // list pages

        assertThat(store.values()).isEmpty(); // ProcessorStore.retainAll at the end of the list
        assertThat(names(store.all())).containsExactly("a:uid-a", "b:uid-b");
        watching.set(true);
        assertThat(names(store.values())).containsExactly("a:uid-a", "b:uid-b");
    }

    @Test
    void aRelistRebuildsOnlyWhatItNoLongerListed() {
        store.watching(watching::get);
        put("a", "b");
        store.values();
        watching.set(true);
        put("c"); // a watch event
        watching.set(false); // the watch expired (410): the informer lists again; "b" is gone
        put("a", "c");

        assertThat(names(store.values())).containsExactly("b:uid-b");
    }

    @Test
    void aListThatFailedHalfWayProvesNothingAboutTheNextOne() {
        store.watching(watching::get);
        put("a"); // first page, then the next page fails
        store.listFailed();
        put("b"); // the retry no longer lists "a"

        assertThat(names(store.values())).containsExactly("a:uid-a");
    }

    @Test
    void aStoreNotTiedToAnInformerAnswersLikeFabric8s() {
        put("a", "b");
        assertThat(store.values()).hasSize(2);
    }
}
