package dev.headstart.monitoring;

import dev.headstart.admission.AdmissionMetrics;
import dev.headstart.controller.warmpool.WarmPoolMetrics;
import dev.headstart.telemetry.StartupTelemetry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** Every metric the dashboard and the alerts read is one Headstart exports (or the API server's own). */
class MonitoringMetricsTest {

    /** Series that come from the Kubernetes API server, not from Headstart. */
    static final Set<String> API_SERVER = Set.of("apiserver_admission_webhook_fail_open_count");

    static final Set<String> EXPORTED = ExportedMetrics.fromSource(Path.of("src/main/java"));

    @Test
    void everyMetricTheDashboardAndTheRulesReadIsExported() {
        Set<String> used = new TreeSet<>();
        MonitoringFiles.expressions().forEach(e -> used.addAll(PromQl.metrics(e)));
        assertThat(used).contains("headstart_pod_startup_seconds_bucket", "headstart_image_pulls_total",
                "headstart_admission_duration_seconds_bucket", "headstart_headroom_replicas",
                "headstart_headroom_pending", "headstart_headroom_preempted_total",
                "headstart_node_startup_seconds_bucket", "headstart_controller_leader",
                "headstart_cpu_boost_startup_seconds_bucket",
                "headstart_tls_certificate_expiry_timestamp_seconds", "apiserver_admission_webhook_fail_open_count");
        Set<String> unknown = new TreeSet<>(used);
        unknown.removeAll(EXPORTED);
        unknown.removeAll(API_SERVER);
        assertThat(unknown).as("metrics read but not exported").isEmpty();
    }

    @Test
    void theSourceScanNamesMetersAsThePrometheusRegistryDoes() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new StartupTelemetry(registry, (ns, name) -> Optional.empty(), Clock.systemUTC(), Duration.ofHours(1));
        AdmissionMetrics admission = new AdmissionMetrics(registry);
        admission.request("mutate", "Pod", "CREATE", "patched", 1_000);
        admission.ruleApplied("startup-probe");
        new WarmPoolMetrics(registry).lifecycleAction("complete", "ok");
        Set<String> scraped = new TreeSet<>();
        registry.scrape().lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .map(l -> l.replaceAll("[{ ].*", "")).forEach(scraped::add);
        assertThat(scraped).hasSizeGreaterThan(15);
        assertThat(EXPORTED).containsAll(scraped);
        // and names registered elsewhere (gauges with a base unit, the leader gauge) are found too
        assertThat(EXPORTED).contains("headstart_tls_certificate_expiry_timestamp_seconds", "headstart_controller_leader",
                "headstart_headroom_replicas", "headstart_warm_nodes", "headstart_pod_startup_seconds_bucket");
    }

    @Test
    void promQlNamesAreReadWithoutFunctionsLabelsOrVariables() {
        assertThat(PromQl.metrics("histogram_quantile(0.9, sum by (le, phase) (rate(a_bucket{phase=\"total\",le=~\"x\"}"
                + "[$__rate_interval]))) / on (phase) group_left (x) b_total offset 1d and (max(c) or vector(0)) < 1"))
                .containsExactly("a_bucket", "b_total", "c");
        assertThat(PromQl.metrics("min(x_seconds) - time() < 14 * 86400")).containsExactly("x_seconds");
    }
}
