package dev.headstart.cluster;

import dev.headstart.config.HeadstartConfig;
import dev.headstart.text.OneLine;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Whether the API server serves the {@code pods/resize} subresource (in-place resize: alpha behind
 * a gate in 1.27-1.32, beta and on by default since 1.33, GA in 1.35). Asked through discovery
 * ({@code GET /api/v1}, allowed to every authenticated user) at start and every
 * {@code headstart.cpu-boost.resize-recheck}, since an upgrade or a feature gate can change it.
 * Both containers ask for themselves: the webhook does not boost while it is not served (the boost
 * could not be given back), the controller does not try reverts. Asked only with a cluster and
 * {@code headstart.cpu-boost.enabled}; until the first answer the state is unknown, which also
 * means "do not boost".
 */
@Singleton
public class ResizeDiscovery {

    private static final Logger LOG = Logger.getLogger(ResizeDiscovery.class);

    private final Supplier<KubernetesClient> client;
    private final boolean asking;
    private final long recheckMillis;
    private volatile ApiServed state;
    private ScheduledExecutorService scheduler;

    @Inject
    public ResizeDiscovery(HeadstartConfig config, ClusterAccess cluster, Instance<KubernetesClient> client,
            MeterRegistry registry) {
        this((Supplier<KubernetesClient>) client::get, cluster.enabled() && config.cpuBoost().enabled(),
                config.cpuBoost().resizeRecheck().toMillis(), registry);
    }

    public ResizeDiscovery(Supplier<KubernetesClient> client, boolean asking, long recheckMillis, MeterRegistry registry) {
        this.client = client;
        this.asking = asking;
        this.recheckMillis = Math.max(1000, recheckMillis);
        // No cluster: nothing to ask and nothing to revert through; the rule boosts as configured.
        this.state = asking ? ApiServed.UNKNOWN : ApiServed.SERVED;
        if (asking) {
            Gauge.builder("headstart.cpu.boost.resize.served", this, d -> d.state.gauge())
                    .description("Whether the API server serves pods/resize: 1 yes, 0 no, -1 not known yet; cpu-boost boosts only at 1")
                    .register(registry);
        }
    }

    void start(@Observes StartupEvent event) {
        if (!asking) {
            return;
        }
        scheduler = BackgroundThread.scheduler("headstart-resize-discovery");
        scheduler.scheduleWithFixedDelay(this::check, 0, recheckMillis, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /** One discovery call; never throws. A failed call keeps the last answer (a blip changes nothing). */
    public ApiServed check() {
        ApiServed before = state;
        try {
            APIResourceList core = client.get().getApiResources("v1");
            boolean served = core != null && core.getResources() != null
                    && core.getResources().stream().map(APIResource::getName).anyMatch("pods/resize"::equals);
            state = served ? ApiServed.SERVED : ApiServed.NOT_SERVED;
        } catch (RuntimeException e) {
            if (before == ApiServed.UNKNOWN) {
                LOG.warnf("cpu-boost: cannot tell whether the API server serves pods/resize (%s); no boosts until it answers",
                        OneLine.of(e));
            }
            return state;
        }
        if (state != before) {
            if (state == ApiServed.SERVED) {
                LOG.info("cpu-boost: the API server serves pods/resize; boosts are on");
            } else {
                LOG.warn("cpu-boost: the API server does not serve pods/resize (in-place resize: Kubernetes 1.33+);"
                        + " no pod is boosted");
            }
        }
        return state;
    }

    public ApiServed state() {
        return state;
    }

    /** Why a boost could not be given back here, or empty when pods/resize is served. */
    public Optional<String> unavailable() {
        return switch (state) {
            case SERVED -> Optional.empty();
            case NOT_SERVED -> Optional.of("the API server does not serve pods/resize (in-place resize needs"
                    + " Kubernetes 1.33+), so the boost could not be given back");
            case UNKNOWN -> Optional.of("discovery has not yet said whether the API server serves pods/resize");
        };
    }
}
