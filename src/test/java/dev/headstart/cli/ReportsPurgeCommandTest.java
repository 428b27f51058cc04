package dev.headstart.cli;

import dev.headstart.testing.ApiRequestRecorder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code headstart reports purge} against the fabric8 mock API server (CRUD): Headstart's reports
 * go, every other tool's stay, in every namespace and at cluster scope.
 */
@EnableKubernetesMockClient(crud = true)
class ReportsPurgeCommandTest {

    static final ResourceDefinitionContext POLICY = ReportsPurgeCommand.REPORTS.get(0);
    static final ResourceDefinitionContext CLUSTER_POLICY = ReportsPurgeCommand.REPORTS.get(1);
    static final ResourceDefinitionContext OPEN = ReportsPurgeCommand.REPORTS.get(2);
    static final ResourceDefinitionContext CLUSTER_OPEN = ReportsPurgeCommand.REPORTS.get(3);

    KubernetesClient client;
    KubernetesMockServer server;

    @Test
    void deletesOnlyHeadstartsReportsInEveryNamespaceAndAtClusterScope() {
        for (String ns : List.of("shop", "payments")) {
            create(POLICY, ns, "headstart-a", "headstart");
            create(POLICY, ns, "headstart-b", "headstart");
            create(POLICY, ns, "kyverno-a", "kyverno");
            create(OPEN, ns, "headstart-open", "headstart");
            create(OPEN, ns, "kyverno-open", "kyverno");
        }
        create(POLICY, "shop", "unlabelled", null);
        create(CLUSTER_POLICY, null, "headstart-cluster", "headstart");
        create(CLUSTER_POLICY, null, "kyverno-cluster", "kyverno");
        create(CLUSTER_OPEN, null, "headstart-cluster-open", "headstart");

        CliRun run = CliRun.withCluster(client.getMasterUrl().toString(), () -> CliRun.of("reports", "purge"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).isEqualTo("headstart: deleted 4 policyreports, 1 clusterpolicyreports, 2 reports, "
                + "1 clusterreports labelled app.kubernetes.io/managed-by=headstart\n");
        for (String ns : List.of("shop", "payments")) {
            assertThat(names(POLICY, ns)).as(ns).containsExactlyInAnyOrderElementsOf(ns.equals("shop") ? List.of("kyverno-a", "unlabelled") : List.of("kyverno-a"));
            assertThat(names(OPEN, ns)).as(ns).containsExactly("kyverno-open");
        }
        assertThat(names(CLUSTER_POLICY, null)).containsExactly("kyverno-cluster");
        assertThat(names(CLUSTER_OPEN, null)).isEmpty();
    }

    @Test
    void anApiTheClusterDoesNotServeIsSkippedAndTheRestPurged() {
        create(POLICY, "shop", "headstart-a", "headstart");
        create(POLICY, "shop", "kyverno-a", "kyverno");
        // kube-apiserver answers 404 for the resources of a group no CRD serves
        for (String plural : List.of("reports", "clusterreports")) {
            server.expect().get().withPath("/apis/openreports.io/v1alpha1/" + plural
                    + "?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dheadstart&limit=500")
                    .andReturn(404, Map.of("kind", "Status", "apiVersion", "v1", "status", "Failure",
                            "reason", "NotFound", "code", 404, "message", "the server could not find the requested resource"))
                    .always();
        }

        int before = server.getRequestCount();
        drain(before);
        CliRun run = CliRun.withCluster(client.getMasterUrl().toString(), () -> CliRun.of("reports", "purge"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("headstart: deleted 1 policyreports, 0 clusterpolicyreports, "
                + "reports (openreports.io/v1alpha1 not served), clusterreports (openreports.io/v1alpha1 not served) "
                + "labelled app.kubernetes.io/managed-by=headstart\n");
        assertThat(names(POLICY, "shop")).containsExactly("kyverno-a");
    }

    @Test
    void sendsItsOwnUserAgentAndListsByLabelThenDeletesOneByOne() throws InterruptedException {
        create(POLICY, "shop", "headstart-a", "headstart");
        create(POLICY, "shop", "kyverno-a", "kyverno");
        drain(server.getRequestCount());
        CliRun run = CliRun.withCluster(client.getMasterUrl().toString(), () -> CliRun.of("reports", "purge"));
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> sent = new ArrayList<>();
        RecordedRequest request;
        while ((request = ApiRequestRecorder.take(server, 0, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
            assertThat(request.getHeader("User-Agent")).startsWith("headstart-report-purge/");
            sent.add(request.getMethod() + " " + request.getPath());
        }
        assertThat(sent).contains("DELETE /apis/wgpolicyk8s.io/v1alpha2/namespaces/shop/policyreports/headstart-a")
                .noneMatch(s -> s.startsWith("DELETE") && s.contains("kyverno"))
                .filteredOn(s -> s.startsWith("GET")).allMatch(s -> s.contains("labelSelector=app.kubernetes.io%2Fmanaged-by%3Dheadstart"));
    }

    @Test
    void anUnreachableApiServerIsOneLineAndExitOne() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        CliRun run = CliRun.withCluster("https://127.0.0.1:" + port, () -> CliRun.of("reports", "purge"));
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines()).hasSize(1);
        assertThat(run.err()).startsWith("headstart: cannot purge reports at https://127.0.0.1:" + port);
        assertThat(run.out()).isEmpty();
    }

    private void create(ResourceDefinitionContext api, String namespace, String name, String managedBy) {
        GenericKubernetesResourceBuilder report = new GenericKubernetesResourceBuilder()
                .withApiVersion(api.getGroup() + "/" + api.getVersion()).withKind(api.getKind())
                .withNewMetadata().withName(name).withNamespace(namespace)
                .withLabels(managedBy == null ? Map.of() : Map.of("app.kubernetes.io/managed-by", managedBy)).endMetadata();
        GenericKubernetesResource built = report.build();
        if (api.isNamespaceScoped()) {
            client.genericKubernetesResources(api).inNamespace(namespace).resource(built).create();
        } else {
            client.genericKubernetesResources(api).resource(built).create();
        }
    }

    private List<String> names(ResourceDefinitionContext api, String namespace) {
        var list = api.isNamespaceScoped()
                ? client.genericKubernetesResources(api).inNamespace(namespace).list()
                : client.genericKubernetesResources(api).list();
        return list.getItems().stream().map(r -> r.getMetadata().getName()).toList();
    }

    private void drain(int count) {
        for (int i = 0; i < count; i++) {
            try {
                ApiRequestRecorder.take(server);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
