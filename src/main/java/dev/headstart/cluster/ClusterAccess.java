package dev.headstart.cluster;

import dev.headstart.config.HeadstartConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Whether Headstart has a Kubernetes API to read from. Without one the webhook serves from
 * configuration alone; with one it keeps informer caches of what the rules need.
 */
@Singleton
public class ClusterAccess {

    private static final Logger LOG = Logger.getLogger(ClusterAccess.class);

    private final boolean enabled;
    private final String source;

    @Inject
    public ClusterAccess(HeadstartConfig config) {
        Detection found = detect(System.getenv(), Path.of(System.getProperty("user.home")),
                ConfigProvider.getConfig().getOptionalValue("quarkus.kubernetes-client.api-server-url", String.class));
        switch (config.cluster().enabled().trim().toLowerCase(Locale.ROOT)) {
            case "true" -> {
                enabled = true;
                source = found.found() ? found.source() : "headstart.cluster.enabled=true, nothing else configured";
            }
            case "false" -> {
                enabled = false;
                source = "headstart.cluster.enabled=false";
            }
            default -> {
                enabled = found.found();
                source = found.source();
                if (!enabled && found.ignored() != null) {
                    LOG.warnf("No cluster: %s; serving from configuration alone", found.ignored());
                }
            }
        }
    }

    /** A cluster (or none) decided by the caller, for tests of what reads it. */
    ClusterAccess(boolean enabled, String source) {
        this.enabled = enabled;
        this.source = source;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Where the cluster's address comes from, for log lines ("KUBECONFIG /home/me/.kube/dev"). */
    public String source() {
        return source;
    }

    /**
     * What {@code auto} finds: {@code found} with its {@code source}, or not, with {@code ignored}
     * saying what looked like a cluster but is not usable (or null).
     */
    record Detection(boolean found, String source, String ignored) {
    }

    /**
     * In a pod, with a readable kubeconfig, or with an explicitly configured API server URL. Like
     * kubectl, {@code KUBECONFIG} is a list (':' on Unix) whose missing files are skipped, and when
     * it is set {@code ~/.kube/config} is not read; a list with no readable file is no cluster.
     */
    static Detection detect(Map<String, String> env, Path home, Optional<String> apiServerUrl) {
        if (apiServerUrl.filter(url -> !url.isBlank()).isPresent()) {
            return new Detection(true, "quarkus.kubernetes-client.api-server-url", null);
        }
        String kubeconfig = env.get("KUBECONFIG");
        if (kubeconfig != null && !kubeconfig.isBlank()) {
            List<String> readable = new ArrayList<>();
            for (String entry : kubeconfig.split(File.pathSeparator)) {
                if (!entry.isBlank() && Files.isRegularFile(Path.of(entry)) && Files.isReadable(Path.of(entry))) {
                    readable.add(entry);
                }
            }
            if (!readable.isEmpty()) {
                return new Detection(true, "KUBECONFIG " + String.join(File.pathSeparator, readable), null);
            }
            if (env.get("KUBERNETES_SERVICE_HOST") != null) {
                return new Detection(true, "in-cluster service account", null);
            }
            return new Detection(false, null, "KUBECONFIG names no readable file (" + kubeconfig + ")");
        }
        if (env.get("KUBERNETES_SERVICE_HOST") != null) {
            return new Detection(true, "in-cluster service account", null);
        }
        Path config = home.resolve(".kube").resolve("config");
        if (Files.isRegularFile(config) && Files.isReadable(config)) {
            return new Detection(true, "kubeconfig " + config, null);
        }
        return new Detection(false, null, null);
    }
}
