package dev.headstart.controller.telemetry;

import dev.headstart.cluster.ClusterAccess;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.controller.LeaderTask;
import dev.headstart.controller.OnChange;
import dev.headstart.controller.informers.CachedKind;
import dev.headstart.controller.informers.ControllerKinds;
import dev.headstart.controller.informers.SharedInformers;
import dev.headstart.controller.informers.Subscription;
import dev.headstart.telemetry.ImagePull;
import dev.headstart.telemetry.StartupTelemetry;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.Unremovable;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Feeds {@link StartupTelemetry} from the controller's shared informers while this replica leads:
 * pods (added/updated, deleted), nodes (likewise; the informer headroom and the warm pool share)
 * and the kubelets' {@code Pulled} events (adds only). Leadership starts the count
 * ({@link StartupTelemetry#begin} at the moment it is acquired), losing it ends the count, so two
 * leaders never count one pod. Off with {@code headstart.telemetry.enabled=false}: then it
 * registers no meter and watches nothing.
 */
/* Found by type (LeaderTask) by the leader election, never injected by name. */
@Unremovable
@Singleton
public class StartupTelemetryTask implements LeaderTask {

    private final SharedInformers informers;
    private final CachedKind<Event> events;
    private final Clock clock;
    /** Null when inactive (no meters in the webhook role or when switched off). */
    private final StartupTelemetry telemetry;
    private volatile Subscription<Pod> pods;
    private Subscription<Node> nodes;
    private Subscription<Event> pulls;

    @Inject
    public StartupTelemetryTask(HeadstartConfig config, ClusterAccess cluster, SharedInformers informers,
            MeterRegistry registry) {
        this(informers, registry, Clock.systemUTC(), ControllerKinds.PULLED_EVENTS,
                config.isController() && cluster.enabled() && config.telemetry().enabled());
    }

    /**
     * @param events the Pulled events' kind (tests: the mock API server cannot evaluate the
     *               {@code reason} field selector, so they pass the same kind without it)
     */
    StartupTelemetryTask(SharedInformers informers, MeterRegistry registry, Clock clock, CachedKind<Event> events,
            boolean active) {
        this.informers = informers;
        this.events = events;
        this.clock = clock;
        this.telemetry = active
                ? new StartupTelemetry(registry, this::cachedPod, clock, StartupTelemetry.DEFAULT_HORIZON)
                : null;
    }

    @Override
    public String name() {
        return "startup-telemetry";
    }

    @Override
    public synchronized void start() {
        if (telemetry == null || pods != null) {
            return;
        }
        telemetry.begin(clock.instant());
        nodes = informers.subscribe(ControllerKinds.NODES, new OnChange<>(telemetry::onNode, telemetry::onNodeDeleted));
        pods = informers.subscribe(ControllerKinds.PODS, new OnChange<>(telemetry::onPod, telemetry::onPodDeleted));
        pulls = informers.subscribe(events, new ResourceEventHandler<>() {
            @Override
            public void onAdd(Event event) {
                // the API server selects Pulled events already; this keeps anything else out regardless
                if (ImagePull.REASON.equals(event.getReason())) {
                    telemetry.onEventAdded(event);
                }
            }

            @Override
            public void onUpdate(Event before, Event after) {
            }

            @Override
            public void onDelete(Event event, boolean finalStateUnknown) {
            }
        });
    }

    @Override
    public synchronized void stop() {
        if (telemetry != null) {
            telemetry.end(); // first: nothing delivered after this is counted
        }
        Stream.of(pods, nodes, pulls).filter(Objects::nonNull).forEach(Subscription::close);
        pods = null;
        nodes = null;
        pulls = null;
    }

    /** An event's pod, from the shared pod cache (its uid and the applied annotation are kept). */
    private Optional<Pod> cachedPod(String namespace, String name) {
        Subscription<Pod> current = pods;
        return current == null || namespace == null || name == null ? Optional.empty()
                : Optional.ofNullable(current.get(namespace + "/" + name));
    }

    /** What the shared pod cache holds for a pod (tests). */
    Pod cachedPodForTest(String namespace, String name) {
        return cachedPod(namespace, name).orElse(null);
    }
}
