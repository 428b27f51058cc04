package dev.headstart.cluster;

import dev.headstart.config.HeadstartConfig;
import io.fabric8.kubernetes.client.Config;
import io.quarkus.kubernetes.client.KubernetesConfigCustomizer;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Gives the Kubernetes client this process's {@link Component} as its User-Agent, in place of
 * fabric8's generic one.
 */
@Singleton
public class ComponentUserAgent implements KubernetesConfigCustomizer {

    private final String userAgent;

    public ComponentUserAgent(HeadstartConfig config,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version) {
        this.userAgent = Component.of(config).userAgent(version);
    }

    @Override
    public void customize(Config config) {
        config.setUserAgent(userAgent);
    }

    public String userAgent() {
        return userAgent;
    }
}
