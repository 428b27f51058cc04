package dev.headstart.controller;

import dev.headstart.cluster.ClusterAccess;
import dev.headstart.config.HeadstartConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * In the controller role (only), joins the leader election at startup and leaves it, releasing the
 * lease, at shutdown. The webhook role never starts it, so its readiness cannot depend on leadership.
 */
@Singleton
public class ControllerRole {

    private static final Logger LOG = Logger.getLogger(ControllerRole.class);

    private final HeadstartConfig config;
    private final ClusterAccess cluster;
    private final Instance<KubernetesClient> client;
    private final Instance<LeaderTask> tasks;
    private final MeterRegistry registry;
    private volatile LeaderElection election;

    public ControllerRole(HeadstartConfig config, ClusterAccess cluster, Instance<KubernetesClient> client,
            @Any Instance<LeaderTask> tasks, MeterRegistry registry) {
        this.config = config;
        this.cluster = cluster;
        this.client = client;
        this.tasks = tasks;
        this.registry = registry;
    }

    void start(@Observes StartupEvent event) {
        if (!config.isController()) {
            return;
        }
        if (!cluster.enabled()) {
            LOG.warn("controller role without a Kubernetes API: nothing to reconcile");
            return;
        }
        HeadstartConfig.Controller c = config.controller();
        LeaderElection.Settings settings = new LeaderElection.Settings(c.namespace(), c.leaseName(),
                c.identity().filter(s -> !s.isBlank()).orElseGet(ControllerRole::hostname),
                c.leaseDuration(), c.renewDeadline(), c.retryPeriod());
        election = new LeaderElection(client.get(), settings, () -> tasks.stream().toList(), registry);
        LOG.infof("joining leader election %s/%s as %s with tasks %s", settings.namespace(), settings.leaseName(),
                settings.identity(), tasks.stream().map(LeaderTask::name).toList());
        election.start();
    }

    void stop(@Observes ShutdownEvent event) {
        LeaderElection current = election;
        if (current != null) {
            current.stop();
        }
    }

    /** The election, when this process takes part in one. */
    public LeaderElection election() {
        return election;
    }

    private static String hostname() {
        String fromEnv = System.getenv("HOSTNAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "headstart-controller-" + ProcessHandle.current().pid();
        }
    }

}
