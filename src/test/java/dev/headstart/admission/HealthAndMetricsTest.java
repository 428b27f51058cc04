package dev.headstart.admission;

import dev.headstart.testing.Reviews;
import dev.headstart.testing.WebhookClient;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

@QuarkusTest
class HealthAndMetricsTest {

    private static String management(String path) throws Exception {
        int port = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void healthIsUpWithoutACluster() throws Exception {
        assertThat(management("/q/health/live")).contains("\"status\": \"UP\"");
        assertThat(management("/q/health/ready")).contains("\"status\": \"UP\"");
    }

    @Test
    void reviewsAreCountedByWebhookKindOperationAndOutcome() throws Exception {
        WebhookClient.forTests().review("/mutate",
                Reviews.bytes(Reviews.review("CREATE", Reviews.object("objects/pod-needs-all.json"))));
        String metrics = management("/q/metrics");
        assertThat(metrics).containsPattern(
                "headstart_admission_requests_total\\{.*kind=\"Pod\".*operation=\"CREATE\".*outcome=\"patched\".*webhook=\"mutate\".*} [1-9]");
        assertThat(metrics).contains("headstart_admission_duration_seconds_bucket");
        assertThat(metrics).containsPattern("headstart_rule_applied_total\\{rule=\"startup-probe\"} [1-9]");
    }
}
