package dev.headstart.cluster;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ComponentTest {

    @Test
    void userAgentsNameTheComponentAndItsVersion() {
        assertThat(Component.WEBHOOK.userAgent("0.1.0-SNAPSHOT")).isEqualTo("headstart-webhook/0.1.0-SNAPSHOT");
        assertThat(Component.CONTROLLER.userAgent("1.2 beta")).isEqualTo("headstart-controller/1.2_beta");
        assertThat(Component.CONTROLLER.userAgent(null)).isEqualTo("headstart-controller/unknown");
    }

    @Test
    void aUserAgentTellsWhichComponentSentARequest() {
        assertThat(Component.fromUserAgent("headstart-webhook/0.1.0")).contains(Component.WEBHOOK);
        assertThat(Component.fromUserAgent("headstart-controller/test")).contains(Component.CONTROLLER);
        assertThat(Component.fromUserAgent("fabric8-kubernetes-client/7.5.2")).isEmpty();
        assertThat(Component.fromUserAgent("headstart-webhookish/1")).isEmpty();
        assertThat(Component.fromUserAgent(null)).isEqualTo(Optional.empty());
    }
}
