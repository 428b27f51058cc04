package dev.headstart.cluster;

import dev.headstart.config.HeadstartConfig;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Whether Headstart has a Kubernetes API to read from. Without one the webhook serves from
 * configuration alone; with one it keeps informer caches of what the rules need.
 */
@Singleton
public class ClusterAccess {

    private final boolean enabled;

    public ClusterAccess(HeadstartConfig config) {
        this.enabled = switch (config.cluster().enabled().trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> detect();
        };
    }

    public boolean enabled() {
        return enabled;
    }

    /** In a pod, with a kubeconfig, or with an explicitly configured API server URL. */
    private static boolean detect() {
        if (System.getenv("KUBERNETES_SERVICE_HOST") != null || System.getenv("KUBECONFIG") != null) {
            return true;
        }
        if (ConfigProvider.getConfig().getOptionalValue("quarkus.kubernetes-client.api-server-url", String.class)
                .isPresent()) {
            return true;
        }
        return Files.isReadable(Path.of(System.getProperty("user.home"), ".kube", "config"));
    }
}
