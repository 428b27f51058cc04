package dev.headstart.controller;

import dev.headstart.cluster.Component;
import dev.headstart.testing.ComponentClient;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@EnableKubernetesMockClient(crud = true)
class WarningEventTest {

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void recordsOneWarningPerOccurrenceAboutTheObjectWithItsMessageCut() {
        ObjectReference node = WarningEvent.about("Node", new NodeBuilder().withNewMetadata().withName("n1")
                .withUid("u-1").endMetadata().build().getMetadata());
        Instant at = Instant.parse("2026-12-06T01:00:00Z");
        try (KubernetesClient controller = ComponentClient.of(Component.CONTROLLER, server, client)) {
            assertThat(WarningEvent.record(controller, "default", node, "Reason", "x".repeat(1500), at)).isTrue();
            assertThat(WarningEvent.record(controller, "default", node, "Reason", "again", at)).isTrue();
        }

        List<Event> events = client.v1().events().inNamespace("default").list().getItems();
        assertThat(events).hasSize(2).allSatisfy(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getReason()).isEqualTo("Reason");
            assertThat(e.getMetadata().getName()).startsWith("n1.");
            assertThat(e.getInvolvedObject().getKind()).isEqualTo("Node");
            assertThat(e.getInvolvedObject().getUid()).isEqualTo("u-1");
            assertThat(e.getCount()).isEqualTo(1);
            assertThat(e.getFirstTimestamp()).isEqualTo("2026-12-06T01:00:00Z");
            assertThat(e.getSource().getComponent()).isEqualTo("headstart-controller");
        });
        assertThat(events).extracting(Event::getMessage).containsExactlyInAnyOrder("x".repeat(1000) + "…", "again");
    }

    @Test
    void anEventTheApiServerRefusesIsReportedNotThrown() {
        ObjectReference pod = new io.fabric8.kubernetes.api.model.ObjectReferenceBuilder().withKind("Pod")
                .withNamespace("ns").withName("p").build();
        server.expect().post().withPath("/api/v1/namespaces/ns/events").andReturn(403, "{}").always();
        try (KubernetesClient controller = ComponentClient.of(Component.CONTROLLER, server, client)) {
            assertThat(WarningEvent.record(controller, "ns", pod, "Reason", "m", Instant.now())).isFalse();
        }
    }
}
