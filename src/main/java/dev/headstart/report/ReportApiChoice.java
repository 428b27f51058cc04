package dev.headstart.report;

import dev.headstart.cluster.ClusterAccess;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.text.OneLine;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Which report API Headstart writes ({@code headstart.validation.reports.api}): {@code openreports}
 * or {@code wgpolicyk8s} as set, or with {@code auto} (the default) OpenReports when the cluster
 * serves {@code reports.openreports.io/v1alpha1}, else wgpolicyk8s. Served or not is asked through
 * discovery ({@code GET /apis/openreports.io/v1alpha1}, allowed to every authenticated user by the
 * {@code system:discovery} ClusterRole) at start and again, on the next use, once
 * {@code api-recheck} has passed: installing or removing the OpenReports CRD (Kyverno 1.15's chart
 * does) switches the writer without a restart. A failed discovery call keeps the last answer
 * (wgpolicyk8s before the first one), so an API server blip never flips reports between APIs.
 */
@Singleton
public class ReportApiChoice {

    private static final Logger LOG = Logger.getLogger(ReportApiChoice.class);

    private final Supplier<KubernetesClient> client;
    private final ReportApi fixed;
    private final long recheckNanos;
    private final LongSupplier nanoTime;
    private ReportApi discovered = ReportApi.WGPOLICYK8S;
    private long checkedAt;
    private boolean checked;

    @Inject
    public ReportApiChoice(HeadstartConfig config, ClusterAccess cluster, Instance<KubernetesClient> client) {
        this(client::get, cluster.enabled() ? parse(config.validation().reports().api()) : ReportApi.WGPOLICYK8S,
                config.validation().reports().apiRecheck().toNanos(), System::nanoTime);
    }

    /** @param fixed the API to use, or null for discovery ({@code auto}) */
    public ReportApiChoice(Supplier<KubernetesClient> client, ReportApi fixed, long recheckNanos, LongSupplier nanoTime) {
        this.client = client;
        this.fixed = fixed;
        this.recheckNanos = Math.max(0, recheckNanos);
        this.nanoTime = nanoTime;
    }

    /** {@code auto} → null (discover); {@code wgpolicyk8s} / {@code openreports}; else a one-line error. */
    public static ReportApi parse(String setting) {
        String value = setting == null ? "" : setting.trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "auto" -> null;
            case "wgpolicyk8s" -> ReportApi.WGPOLICYK8S;
            case "openreports" -> ReportApi.OPENREPORTS;
            default -> throw new IllegalArgumentException("headstart.validation.reports.api must be auto, wgpolicyk8s"
                    + " or openreports, not '" + OneLine.of(setting, 64) + "'");
        };
    }

    void start(@Observes StartupEvent event) {
        if (fixed == null) {
            current();
        }
    }

    /** The API to write to now; with {@code auto}, asks discovery when the last answer is older than the re-check. */
    public synchronized ReportApi current() {
        if (fixed != null) {
            return fixed;
        }
        long now = nanoTime.getAsLong();
        if (!checked || now - checkedAt >= recheckNanos) {
            checkedAt = now;
            checked = true;
            discover();
        }
        return discovered;
    }

    /** Whether the choice follows discovery ({@code auto}). */
    public boolean automatic() {
        return fixed == null;
    }

    private void discover() {
        ReportApi before = discovered;
        try {
            discovered = served(client.get()) ? ReportApi.OPENREPORTS : ReportApi.WGPOLICYK8S;
        } catch (RuntimeException e) {
            LOG.warnf("reports: discovery of %s failed (%s); still writing %s", ReportApi.OPENREPORTS.apiVersion(),
                    OneLine.of(e), before.resource());
            return;
        }
        if (discovered != before) {
            LOG.infof("reports: the cluster %s %s; writing %s", discovered == ReportApi.OPENREPORTS ? "serves" : "does not serve",
                    ReportApi.OPENREPORTS.resource(), discovered.resource());
        }
    }

    /** {@code reports} in the discovery document of {@code openreports.io/v1alpha1}; a 404 means not served. */
    static boolean served(KubernetesClient kube) {
        try {
            APIResourceList list = kube.getApiResources(ReportApi.OPENREPORTS.apiVersion());
            return list != null && list.getResources() != null
                    && list.getResources().stream().map(APIResource::getName).anyMatch("reports"::equals);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }
}
