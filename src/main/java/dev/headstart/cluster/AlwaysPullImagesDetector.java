package dev.headstart.cluster;

import dev.headstart.config.HeadstartConfig;
import dev.headstart.text.OneLine;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
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

import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Whether the API server runs the AlwaysPullImages admission plugin. Where it does, a webhook that
 * writes {@code IfNotPresent} makes the API server re-run the in-tree plugins
 * ({@code staging/src/k8s.io/apiserver/pkg/admission/reinvocation.go}), the plugin writes
 * {@code Always} again, the webhook is reinvoked, and the plugin's validation forbids the pod
 * ({@code plugin/pkg/admission/alwayspullimages/admission.go}). So pull-policy may only run where
 * the plugin is known to be off.
 *
 * <p>The probe is a server-side dry-run create of a pod in Headstart's own namespace (which its
 * webhook never sees): image pinned by tag with {@code IfNotPresent}; the plugin, if on, returns it
 * with {@code Always}. Nothing is stored. Probed at start and every
 * {@code headstart.pull-policy.always-pull-images-recheck}; a probe that fails leaves the state
 * {@link State#UNKNOWN}, and pull-policy stays off until one answers (a pull from the registry
 * costs seconds, a denied pod costs the workload).
 */
@Singleton
public class AlwaysPullImagesDetector {

    private static final Logger LOG = Logger.getLogger(AlwaysPullImagesDetector.class);

    /** The gauge {@code headstart_always_pull_images}: 1 on, 0 off, -1 unknown. */
    public enum State {
        ABSENT(0), PRESENT(1), UNKNOWN(-1);

        private final int gauge;

        State(int gauge) {
            this.gauge = gauge;
        }

        public int gauge() {
            return gauge;
        }
    }

    private final Supplier<KubernetesClient> client;
    private final boolean probing;
    private final String namespace;
    private final String image;
    private final long recheckMillis;
    private volatile State state;
    private volatile boolean decided;
    private volatile String lastFailure;
    private ScheduledExecutorService scheduler;

    @Inject
    public AlwaysPullImagesDetector(HeadstartConfig config, ClusterAccess cluster, Instance<KubernetesClient> client,
            MeterRegistry registry) {
        this(config, cluster, (Supplier<KubernetesClient>) client::get, registry);
    }

    AlwaysPullImagesDetector(HeadstartConfig config, ClusterAccess cluster, Supplier<KubernetesClient> client,
            MeterRegistry registry) {
        this.client = client;
        String mode = config.pullPolicy().alwaysPullImages().trim().toLowerCase(Locale.ROOT);
        switch (mode) {
            case "present" -> state = State.PRESENT;
            case "absent" -> state = State.ABSENT;
            // No cluster (a laptop, tests): no API server, no plugin.
            case "detect" -> state = cluster.enabled() ? State.UNKNOWN : State.ABSENT;
            default -> throw new IllegalArgumentException(
                    "headstart.pull-policy.always-pull-images must be detect, present or absent, not '" + mode + "'");
        }
        this.probing = mode.equals("detect") && cluster.enabled();
        this.decided = !probing;
        String own = System.getenv("POD_NAMESPACE");
        this.namespace = own == null || own.isBlank() ? config.controller().namespace() : own;
        this.image = config.headroom().image();
        this.recheckMillis = Math.max(1000, config.pullPolicy().alwaysPullImagesRecheck().toMillis());
        Gauge.builder("headstart.always.pull.images", this, d -> d.state.gauge())
                .description("AlwaysPullImages admission plugin: 1 on, 0 off, -1 unknown; pull-policy runs only at 0")
                .register(registry);
        if (!probing) {
            LOG.infof("AlwaysPullImages admission plugin %s (headstart.pull-policy.always-pull-images=%s%s): pull-policy %s",
                    state == State.PRESENT ? "on" : "off", mode, cluster.enabled() ? "" : ", no cluster",
                    pullPolicyAllowed() ? "active" : "leaves pull policies alone");
        }
    }

    void start(@Observes StartupEvent event) {
        if (!probing) {
            return;
        }
        scheduler = BackgroundThread.scheduler("headstart-always-pull-images");
        scheduler.scheduleWithFixedDelay(this::probe, 0, recheckMillis, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /** Whether pull-policy may change pull policies: only where the plugin is known to be off. */
    public boolean pullPolicyAllowed() {
        return state == State.ABSENT;
    }

    public State state() {
        return state;
    }

    /** Whether a state has been settled (configured, or at least one probe answered or failed). */
    public boolean decided() {
        return decided;
    }

    /** One probe; the scheduler calls it, tests too. Never throws. */
    public State probe() {
        State next;
        String why;
        try {
            Pod returned = client.get().pods().inNamespace(namespace).resource(probePod(namespace, image))
                    .dryRun().create();
            next = judge(returned);
            why = "a dry-run pod in " + namespace + " came back with imagePullPolicy: " + returnedPolicy(returned);
            lastFailure = null;
        } catch (RuntimeException e) {
            next = State.UNKNOWN;
            why = "dry-run create of a pod in " + namespace + " failed: " + OneLine.of(e);
        }
        State before = state;
        state = next;
        decided = true;
        if (next != before || (next == State.UNKNOWN && lastFailure == null)) {
            String line = switch (next) {
                case PRESENT -> "AlwaysPullImages admission plugin is on (" + why + "): pull-policy leaves pull policies alone";
                case ABSENT -> "AlwaysPullImages admission plugin is off (" + why + "): pull-policy active";
                case UNKNOWN -> "Cannot tell whether the AlwaysPullImages admission plugin is on (" + why
                        + "): pull-policy leaves pull policies alone until a probe answers"
                        + " (or set headstart.pull-policy.always-pull-images=absent|present)";
            };
            if (next == State.ABSENT) {
                LOG.info(line);
            } else {
                LOG.warn(line);
            }
        }
        if (next == State.UNKNOWN) {
            lastFailure = why;
        }
        return next;
    }

    /** Always on any container: something in the chain forces it; IfNotPresent everywhere: nothing does. */
    static State judge(Pod returned) {
        String policy = returnedPolicy(returned);
        return switch (policy) {
            case "Always" -> State.PRESENT;
            case "IfNotPresent" -> State.ABSENT;
            default -> State.UNKNOWN;
        };
    }

    private static String returnedPolicy(Pod returned) {
        List<Container> containers = returned == null || returned.getSpec() == null ? null : returned.getSpec().getContainers();
        if (containers == null || containers.isEmpty() || containers.get(0).getImagePullPolicy() == null) {
            return "(none)";
        }
        return containers.get(0).getImagePullPolicy();
    }

    /** A pod that passes the restricted Pod Security level and a quota that wants requests and limits. */
    static Pod probePod(String namespace, String image) {
        return new PodBuilder()
                .withNewMetadata()
                    .withGenerateName("headstart-pull-policy-probe-")
                    .withNamespace(namespace)
                    .addToLabels("app.kubernetes.io/name", "headstart")
                    .addToLabels("app.kubernetes.io/component", "always-pull-images-probe")
                    .addToAnnotations("headstart.dev/skip", "all")
                .endMetadata()
                .withNewSpec()
                    .withRestartPolicy("Never")
                    .withAutomountServiceAccountToken(false)
                    .withNewSecurityContext()
                        .withRunAsNonRoot(true).withRunAsUser(65535L)
                        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                    .endSecurityContext()
                    .addNewContainer()
                        .withName("probe")
                        .withImage(image)
                        .withImagePullPolicy("IfNotPresent")
                        .withNewSecurityContext()
                            .withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                            .withNewCapabilities().withDrop("ALL").endCapabilities()
                        .endSecurityContext()
                        .withNewResources()
                            .addToRequests("cpu", new Quantity("1m")).addToRequests("memory", new Quantity("8Mi"))
                            .addToLimits("cpu", new Quantity("10m")).addToLimits("memory", new Quantity("8Mi"))
                        .endResources()
                    .endContainer()
                .endSpec()
                .build();
    }
}
