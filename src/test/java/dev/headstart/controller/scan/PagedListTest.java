package dev.headstart.controller.scan;

import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The scan reads page by page: each page is handed on before the next one is asked for. */
class PagedListTest {

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata().build();
    }

    @Test
    void followsContinueTokensWithTheConfiguredLimit() {
        List<ListOptions> asked = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        List<Integer> seenWhenAsked = new ArrayList<>();
        BackgroundScan.paged(2, (ListOptions options) -> {
            asked.add(options);
            seenWhenAsked.add(seen.size());
            PodList page = switch (options.getContinue() == null ? "" : options.getContinue()) {
                case "" -> new PodListBuilder().withNewMetadata().withContinue("t1").endMetadata()
                        .withItems(pod("a"), pod("b")).build();
                case "t1" -> new PodListBuilder().withNewMetadata().withContinue("t2").endMetadata()
                        .withItems(pod("c"), pod("d")).build();
                default -> new PodListBuilder().withNewMetadata().endMetadata().withItems(pod("e")).build();
            };
            return page;
        }, (Pod pod) -> seen.add(pod.getMetadata().getName()));

        assertThat(seen).containsExactly("a", "b", "c", "d", "e");
        assertThat(asked).extracting(ListOptions::getLimit).containsOnly(2L);
        assertThat(asked).extracting(ListOptions::getContinue).containsExactly(null, "t1", "t2");
        assertThat(seenWhenAsked).as("items handed on before the next page is fetched").containsExactly(0, 2, 4);
    }
}
