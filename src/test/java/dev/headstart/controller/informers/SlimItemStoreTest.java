package dev.headstart.controller.informers;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class SlimItemStoreTest {

    static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withNamespace("shop").withName(name).withUid("uid-" + name)
                .withResourceVersion("7").endMetadata().withNewSpec().withNodeName("n1").endSpec().build();
    }

    SlimItemStore<Pod> store() {
        SlimItemStore<Pod> store = new SlimItemStore<>(Pod.class, new KubernetesSerialization(), List.of("metadata.uid"));
        store.put("shop/a", pod("a"));
        store.put("shop/b", pod("b"));
        return store;
    }

    @Test
    void beforeItsInformersFirstSyncTheStoreRebuildsNothingForFabric8sStaleScan() {
        AtomicBoolean synced = new AtomicBoolean();
        SlimItemStore<Pod> store = store();
        store.untilSynced(synced::get);

        // what ProcessorStore.retainAll reads at the end of the first list: nothing to rebuild
        assertThat(store.values()).isEmpty();
        // the store's own readers see everything, with the kept fields
        assertThat(store.all()).extracting(p -> p.getMetadata().getName() + ":" + p.getMetadata().getUid())
                .containsExactlyInAnyOrder("a:uid-a", "b:uid-b");
        assertThat(store.size()).isEqualTo(2);

        synced.set(true); // later lists (after a watch gap) must find what vanished
        assertThat(store.values()).extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void aFailedFirstListMakesTheNextOneScanEverything() {
        SlimItemStore<Pod> store = store();
        store.untilSynced(() -> false);
        store.listRetried(); // the retry may not list what the failed attempt stored

        assertThat(store.values()).extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void aStoreNotTiedToAnInformerAnswersLikeFabric8s() {
        assertThat(store().values()).hasSize(2);
    }
}
