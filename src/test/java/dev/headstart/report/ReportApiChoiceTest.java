package dev.headstart.report;

import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Which report API is written, against the fabric8 mock API server: discovery of
 * {@code /apis/openreports.io/v1alpha1} (what kube-apiserver answers once the OpenReports CRD is
 * established: an APIResourceList naming {@code reports}; 404 without it) picks OpenReports, its
 * absence wgpolicyk8s, the setting overrides discovery, and the answer is asked again after the
 * re-check interval.
 */
@EnableKubernetesMockClient(crud = true)
class ReportApiChoiceTest {

    private static final String DISCOVERY = "/apis/openreports.io/v1alpha1";
    private static final long RECHECK = TimeUnit.MINUTES.toNanos(5);

    KubernetesMockServer server;
    KubernetesClient client;

    private final AtomicLong now = new AtomicLong(1_000);

    private void openReportsServed(int times) {
        var list = new APIResourceListBuilder().withGroupVersion("openreports.io/v1alpha1")
                .addToResources(new APIResourceBuilder().withName("reports").withKind("Report").withNamespaced(true)
                        .withVerbs("get", "list", "create", "update", "delete").build())
                .addToResources(new APIResourceBuilder().withName("clusterreports").withKind("ClusterReport")
                        .withNamespaced(false).withVerbs("get", "list").build())
                .build();
        server.expect().get().withPath(DISCOVERY).andReturn(200, list).times(times);
    }

    private void openReportsNotServed(int times) {
        server.expect().get().withPath(DISCOVERY).andReturn(404, "{\"kind\":\"Status\",\"code\":404}").times(times);
    }

    private ReportApiChoice choice(ReportApi fixed) {
        return new ReportApiChoice(() -> client, fixed, RECHECK, now::get);
    }

    @Test
    void openReportsIsWrittenWhenTheClusterServesIt() {
        openReportsServed(1);
        assertThat(choice(null).current()).isEqualTo(ReportApi.OPENREPORTS);
    }

    @Test
    void wgpolicyk8sIsWrittenWhenOpenReportsIsNotServed() {
        openReportsNotServed(1);
        assertThat(choice(null).current()).isEqualTo(ReportApi.WGPOLICYK8S);
    }

    @Test
    void theMockWithoutTheGroupAnswersNotServed() {
        // No expectation at all: whatever the CRUD mock answers for an unknown group is "not served".
        assertThat(choice(null).current()).isEqualTo(ReportApi.WGPOLICYK8S);
    }

    @Test
    void theSettingOverridesDiscoveryBothWays() throws InterruptedException {
        openReportsServed(5);
        assertThat(choice(ReportApiChoice.parse("wgpolicyk8s")).current()).isEqualTo(ReportApi.WGPOLICYK8S);
        int before = server.getRequestCount();
        assertThat(choice(ReportApiChoice.parse(" OpenReports ")).current()).isEqualTo(ReportApi.OPENREPORTS);
        // A fixed choice never asks discovery.
        assertThat(server.getRequestCount()).isEqualTo(before);
        assertThat(ReportApiChoice.parse("auto")).isNull();
        assertThatThrownBy(() -> ReportApiChoice.parse("policyreports"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("headstart.validation.reports.api must be auto, wgpolicyk8s or openreports, not 'policyreports'");
    }

    @Test
    void discoveryIsAskedAgainAfterTheRecheckInterval() {
        openReportsNotServed(1);
        openReportsServed(1);
        ReportApiChoice choice = choice(null);
        assertThat(choice.current()).isEqualTo(ReportApi.WGPOLICYK8S);
        int asked = server.getRequestCount();
        now.addAndGet(RECHECK - 1);
        assertThat(choice.current()).as("not asked again before the interval").isEqualTo(ReportApi.WGPOLICYK8S);
        assertThat(server.getRequestCount()).isEqualTo(asked);
        now.addAndGet(1);
        assertThat(choice.current()).as("the CRD was installed meanwhile").isEqualTo(ReportApi.OPENREPORTS);
    }

    @Test
    void aFailedDiscoveryKeepsTheLastAnswer() {
        openReportsServed(1);
        server.expect().get().withPath(DISCOVERY).andReturn(500, "{\"kind\":\"Status\",\"code\":500}").always();
        ReportApiChoice choice = choice(null);
        assertThat(choice.current()).isEqualTo(ReportApi.OPENREPORTS);
        now.addAndGet(RECHECK);
        assertThat(choice.current()).isEqualTo(ReportApi.OPENREPORTS);
    }
}
