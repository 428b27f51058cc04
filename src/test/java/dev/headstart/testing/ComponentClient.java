package dev.headstart.testing;

import dev.headstart.cluster.Component;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/**
 * For tests that build a reconciler by hand: a client of the mock server that identifies itself
 * as the component the code under test runs in, as the deployed process's client does
 * ({@code ComponentUserAgent}). Fixtures keep using the mock's own client, so the RBAC check
 * ({@link ApiRequestRecorder}) counts only what the component's code asked for.
 */
public final class ComponentClient {

    /** The version tests put in the User-Agent. */
    public static final String VERSION = "test";

    private ComponentClient() {
    }

    /** Close it after the test, like any client. */
    public static KubernetesClient of(Component component, KubernetesMockServer server, KubernetesClient fixtures) {
        return server.createClient(builder -> builder.withConfig(new ConfigBuilder(fixtures.getConfiguration())
                .withUserAgent(component.userAgent(VERSION)).build()));
    }
}
