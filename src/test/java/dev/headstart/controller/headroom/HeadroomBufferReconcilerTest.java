package dev.headstart.controller.headroom;

import dev.headstart.testing.ApiRequestRecorder;
import dev.headstart.testing.CapacityBufferCrd;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 25, CapacityBuffer mode: the pool's CapacityBuffer and PodTemplate where the API server serves
 * {@code capacitybuffers.autoscaling.x-k8s.io} (the CRD registered with the mock server, as
 * cluster-autoscaler 1.34+ installs it), pause pods where it does not.
 */
class HeadroomBufferReconcilerTest extends HeadroomMockClusterTest {
    private static final ResourceDefinitionContext V1BETA1 = HeadroomBuffers.context("autoscaling.x-k8s.io/v1beta1");


    /** spot (buffer mode, 12 nodes / 3 = 4) beside on-demand (pause pods, 2 nodes / 1 = 2). */
    private static final String POOLS = """
            {"pools":[
              {"name":"spot","mode":"%s","nodeSelector":{"node-group":"spot"},"tolerations":["spot=true:NoSchedule"],
               "linear":{"nodesPerReplica":%d,"min":0},"shape":{"cpu":"2","memory":"4Gi"}},
              {"name":"on-demand","nodeSelector":{"node-group":"on-demand"},"linear":{"nodesPerReplica":1}}
            ]}""";

    @BeforeEach
    void setUp() {
        for (int i = 0; i < 12; i++) {
            Node spot = Nodes.tainted("spot-" + i, "8", "spot", "true", "NoSchedule");
            spot.getMetadata().getLabels().put("node-group", "spot");
            client.nodes().resource(spot).create();
        }
        for (int i = 0; i < 2; i++) {
            client.nodes().resource(Nodes.labelled("od-" + i, "8", "node-group", "on-demand")).create();
        }
    }

    private void serveBuffers() {
        client.apiextensions().v1().customResourceDefinitions().resource(CapacityBufferCrd.definition()).create();
    }

    private void params(String mode, int nodesPerReplica) {
        params(POOLS.formatted(mode, nodesPerReplica));
    }

    private List<GenericKubernetesResource> buffers() {
        return client.genericKubernetesResources(V1BETA1).inNamespace(NS).list().getItems();
    }

    private GenericKubernetesResource buffer(String name) {
        return client.genericKubernetesResources(V1BETA1).inNamespace(NS).withName(name).get();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource buffer) {
        return (Map<String, Object>) buffer.getAdditionalProperties().get("spec");
    }

    private Map<String, Integer> deployments() {
        return client.apps().deployments().inNamespace(NS).list().getItems().stream().collect(Collectors.toMap(
                d -> d.getMetadata().getName(), d -> d.getSpec().getReplicas(), (a, b) -> a, TreeMap::new));
    }

    private List<String> templates() {
        return client.v1().podTemplates().inNamespace(NS).list().getItems().stream()
                .map(t -> t.getMetadata().getName()).sorted().toList();
    }

    private List<Event> events(String reason) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).toList();
    }

    private double ready(String pool) {
        return metrics.get("headstart.headroom.buffer.ready").tag("pool", pool).gauge().value();
    }

    private Map<String, String> versions() {
        return Stream.of(buffers().stream(), client.v1().podTemplates().inNamespace(NS).list().getItems().stream(),
                        client.apps().deployments().inNamespace(NS).list().getItems().stream())
                .flatMap(s -> s.map(o -> (HasMetadata) o))
                .collect(Collectors.toMap(o -> o.getKind() + "/" + o.getMetadata().getName(),
                        o -> o.getMetadata().getResourceVersion()));
    }

    @Test
    void servedBufferPoolKeepsOneCapacityBufferWithTheReplicasAndNoPausePodsAndASteadyClusterSeesNoWrites()
            throws Exception {
        serveBuffers();
        params("buffer", 3);
        reconciler.reconcile();

        GenericKubernetesResource buffer = buffer("headstart-headroom-spot");
        assertThat(buffer).as("the pool's CapacityBuffer").isNotNull();
        assertThat(buffer.getApiVersion()).isEqualTo("autoscaling.x-k8s.io/v1beta1");
        assertThat(spec(buffer)).as("only podTemplateRef and replicas")
                .isEqualTo(Map.of("podTemplateRef", Map.of("name", "headstart-headroom-spot"), "replicas", 4));
        assertThat(buffer.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "headstart")
                .containsEntry("headstart.dev/headroom-pool", "spot");
        PodTemplate template = client.v1().podTemplates().inNamespace(NS).withName("headstart-headroom-spot").get();
        var pod = template.getTemplate().getSpec();
        assertThat(pod.getContainers().get(0).getResources().getRequests())
                .isEqualTo(Map.of("cpu", new Quantity("2"), "memory", new Quantity("4Gi")));
        assertThat(pod.getNodeSelector()).containsEntry("node-group", "spot");
        assertThat(pod.getTolerations()).hasSize(1);
        assertThat(pod.getPriorityClassName()).as("virtual pods preempt nothing and are preempted by nothing").isNull();
        assertThat(deployments()).as("no pause pods for the buffer pool; the other pool keeps its own")
                .isEqualTo(Map.of("headstart-headroom-on-demand", 2));
        assertThat(metrics.get("headstart.headroom.replicas").tag("pool", "spot").gauge().value()).isEqualTo(4.0);
        assertThat(ready("spot")).as("no verdict from an autoscaler yet").isEqualTo(-1.0);
        assertThat(ready("on-demand")).isEqualTo(-1.0);
        assertThat(metrics.get("headstart.headroom.buffer.api.served").gauge().value()).isEqualTo(1.0);

        Map<String, String> before = versions();
        requests();
        reconciler.reconcile();
        reconciler.reconcile();
        List<String> steady = requests();
        assertThat(versions()).as("no write in a steady cluster").isEqualTo(before);
        assertThat(steady).allMatch(r -> r.startsWith("GET "));
        assertThat(steady.stream().filter(r -> r.contains("/podtemplates?")).count()).as("one list per pass").isEqualTo(2);
        assertThat(steady.stream().filter(r -> r.contains("/capacitybuffers?")).count()).isEqualTo(2);
    }

    @Test
    void notServedAutoKeepsPausePodsAndBufferIsRefusedOnceWithAnEventAndAMetric() {
        params("auto", 3);
        reconciler.reconcile();
        assertThat(deployments()).isEqualTo(Map.of("headstart-headroom-spot", 4, "headstart-headroom-on-demand", 2));
        assertThat(templates()).isEmpty();
        assertThat(metrics.get("headstart.headroom.buffer.api.served").gauge().value()).isZero();

        params("buffer", 3);
        reconciler.reconcile();
        reconciler.reconcile();
        assertThat(deployments()).as("a refused pool's objects are left as they are")
                .containsEntry("headstart-headroom-spot", 4);
        assertThat(events("CapacityBufferNotServed")).as("once, not once per pass").hasSize(1);
        assertThat(events("CapacityBufferNotServed").get(0).getMessage()).contains("pool spot")
                .contains("does not serve capacitybuffers.autoscaling.x-k8s.io");
        assertThat(metrics.get("headstart.headroom.pool.errors").tag("pool", "spot").counter().count()).isEqualTo(1.0);
    }

    @Test
    void aCapacityBufferApiThatAppearsIsFollowedAfterTheRecheckAndAutoDropsThePausePodsOnlyOnceTheBufferIsAccepted() {
        params("auto", 3);
        reconciler.reconcile();
        assertThat(deployments()).containsEntry("headstart-headroom-spot", 4);

        serveBuffers();
        reconciler.reconcile();
        assertThat(buffers()).as("not before discovery asks again").isEmpty();
        assertThat(reconciler.bufferApi().check()).isTrue();
        reconciler.reconcile();
        assertThat(buffers()).extracting(b -> b.getMetadata().getName()).containsExactly("headstart-headroom-spot");
        reconciler.reconcile();
        assertThat(deployments()).as("a served API is not an autoscaler that acts on buffers: the pause pods stay")
                .containsEntry("headstart-headroom-spot", 4);

        status("ReadyForProvisioning", "False", "InvalidPodTemplate", "bad");
        reconciler.reconcile();
        assertThat(deployments()).as("nor while it refuses the buffer").containsEntry("headstart-headroom-spot", 4);

        status("ReadyForProvisioning", "True", "Resolved", "");
        reconciler.reconcile();
        assertThat(deployments()).as("the pause pods go once the autoscaler has accepted the buffer")
                .isEqualTo(Map.of("headstart-headroom-on-demand", 2));
    }

    @Test
    void aPlanChangeUpdatesOnlyTheReplicasAndKeepsWhatTheCrdDefaulted() {
        serveBuffers();
        params("buffer", 3);
        reconciler.reconcile();
        // The API server defaults provisioningStrategy (kubebuilder default); the mock does not.
        client.genericKubernetesResources(V1BETA1).inNamespace(NS).withName("headstart-headroom-spot").edit(b -> {
            spec(b).put("provisioningStrategy", "buffer.x-k8s.io/active-capacity");
            return b;
        });
        String template = client.v1().podTemplates().inNamespace(NS).withName("headstart-headroom-spot").get()
                .getMetadata().getResourceVersion();

        params("buffer", 2);
        reconciler.reconcile();

        assertThat(spec(buffer("headstart-headroom-spot"))).containsEntry("replicas", 6)
                .containsEntry("provisioningStrategy", "buffer.x-k8s.io/active-capacity");
        assertThat(client.v1().podTemplates().inNamespace(NS).withName("headstart-headroom-spot").get()
                .getMetadata().getResourceVersion()).as("the shape did not change").isEqualTo(template);
        assertThat(metrics.get("headstart.headroom.replicas").tag("pool", "spot").gauge().value()).isEqualTo(6.0);
    }

    @Test
    void aRemovedOrSwitchedBackPoolLosesItsBufferAndTemplateAndOnlyHeadstartsOwn() {
        serveBuffers();
        params("buffer", 3);
        reconciler.reconcile();
        client.genericKubernetesResources(V1BETA1).inNamespace(NS).resource(new GenericKubernetesResourceBuilder()
                .withApiVersion("autoscaling.x-k8s.io/v1beta1").withKind("CapacityBuffer")
                .withNewMetadata().withName("someone-elses").withNamespace(NS)
                    .addToLabels("app.kubernetes.io/managed-by", "headstart").endMetadata()
                .addToAdditionalProperties("spec", Map.of("replicas", 1)).build()).create();

        params("pause-pods", 3);
        reconciler.reconcile();
        assertThat(buffers()).extracting(b -> b.getMetadata().getName()).containsExactly("someone-elses");
        assertThat(templates()).isEmpty();
        assertThat(deployments()).isEqualTo(Map.of("headstart-headroom-spot", 4, "headstart-headroom-on-demand", 2));

        params("buffer", 3);
        reconciler.reconcile();
        client.configMaps().inNamespace(NS).withName("headstart-headroom").edit(cm -> {
            cm.getData().put("params", "{\"pools\":[{\"name\":\"on-demand\",\"nodeSelector\":{\"node-group\":\"on-demand\"},"
                    + "\"linear\":{\"nodesPerReplica\":1}}]}");
            return cm;
        });
        reconciler.reconcile();
        assertThat(buffers()).extracting(b -> b.getMetadata().getName()).containsExactly("someone-elses");
        assertThat(templates()).isEmpty();
        assertThat(deployments()).isEqualTo(Map.of("headstart-headroom-on-demand", 2));
        assertThat(ready("spot")).isEqualTo(-1.0);
    }

    @Test
    void aRefusedBufferIsAMetricAndOneWarningEventAndAReadyOneIsOne() {
        serveBuffers();
        params("buffer", 3);
        reconciler.reconcile();
        status("ReadyForProvisioning", "False", "InvalidPodTemplate", "pod template has no containers");

        reconciler.reconcile();
        reconciler.reconcile();
        assertThat(ready("spot")).isZero();
        List<Event> refused = events("CapacityBufferRefused");
        assertThat(refused).as("once per verdict").hasSize(1);
        assertThat(refused.get(0).getType()).isEqualTo("Warning");
        assertThat(refused.get(0).getInvolvedObject().getKind()).isEqualTo("CapacityBuffer");
        assertThat(refused.get(0).getInvolvedObject().getName()).isEqualTo("headstart-headroom-spot");
        assertThat(refused.get(0).getMessage()).contains("ReadyForProvisioning=False InvalidPodTemplate")
                .contains("pod template has no containers");

        status("ReadyForProvisioning", "True", "Resolved", "");
        reconciler.reconcile();
        assertThat(ready("spot")).isEqualTo(1.0);
        assertThat(events("CapacityBufferRefused")).hasSize(1);
    }

    @Test
    void aSpreadPoolKeepsOneBufferPerZoneWithAZonedTemplate() {
        serveBuffers();
        String[] zones = {"eu-west-1a", "eu-west-1b", "eu-west-1c"};
        for (int i = 0; i < 12; i++) {
            String zone = zones[i % 3];
            client.nodes().withName("spot-" + i).edit(n -> {
                n.getMetadata().getLabels().put("topology.kubernetes.io/zone", zone);
                return n;
            });
        }
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("headstart-headroom")
                .withNamespace(NS).endMetadata().withData(Map.of("params", POOLS.formatted("buffer", 3)
                        .replace("\"shape\":{\"cpu\":\"2\",\"memory\":\"4Gi\"}",
                                "\"shape\":{\"cpu\":\"2\",\"memory\":\"4Gi\"},\"zones\":{\"spread\":true,\"minPerZone\":1}")))
                .build()).create();
        reconciler.reconcile();

        assertThat(buffers().stream().collect(Collectors.toMap(b -> b.getMetadata().getName(),
                b -> ((Number) spec(b).get("replicas")).intValue()))).isEqualTo(Map.of(
                "headstart-headroom-spot-eu-west-1a", 2, "headstart-headroom-spot-eu-west-1b", 1,
                "headstart-headroom-spot-eu-west-1c", 1));
        PodTemplate b = client.v1().podTemplates().inNamespace(NS).withName("headstart-headroom-spot-eu-west-1b").get();
        assertThat(b.getTemplate().getSpec().getNodeSelector()).containsEntry("topology.kubernetes.io/zone", "eu-west-1b");
        assertThat(b.getMetadata().getLabels()).containsEntry("headstart.dev/headroom-zone", "eu-west-1b");
        assertThat(deployments()).isEqualTo(Map.of("headstart-headroom-on-demand", 2));
    }

    @Test
    void whileDiscoveryHasNotAnsweredAnAutoPoolIsLeftAsItIsAndSaysSoOnce() {
        server.expect().get().withPath("/apis/autoscaling.x-k8s.io/v1")
                .andReturn(500, "{\"kind\":\"Status\",\"code\":500}").always();
        params("auto", 3);
        reconciler.reconcile();
        reconciler.reconcile();
        assertThat(deployments()).as("neither pause pods nor a buffer on a guess")
                .isEqualTo(Map.of("headstart-headroom-on-demand", 2));
        assertThat(events("CapacityBufferUnknown")).hasSize(1);
        assertThat(metrics.get("headstart.headroom.buffer.api.served").gauge().value()).isEqualTo(-1.0);
    }

    /**
     * The first pass looks for a previous run's PodTemplates; when that list fails (an API server
     * or proxy that refuses it: the scale bench's simulated one did) a pause-pod-only cluster still
     * gets its headroom, and the list is not retried every pass.
     */
    @Test
    void aFailedLookForLeftoverTemplatesDoesNotHoldUpPausePods() {
        server.expect().get().withPath("/api/v1/namespaces/" + NS + "/podtemplates?labelSelector="
                        + "app.kubernetes.io%2Fmanaged-by%3Dheadstart")
                .andReturn(404, "{\"kind\":\"Status\",\"code\":404}").always();
        params("pause-pods", 3);
        reconciler.reconcile();
        assertThat(deployments()).containsKey("headstart-headroom-on-demand");
    }

    @Test
    void aClusterWithoutBufferPoolsAsksNoDiscoveryAndListsTemplatesOnlyOnce() throws Exception {
        serveBuffers();
        params("pause-pods", 3);
        reconciler.reconcile();
        List<String> first = requests();
        reconciler.reconcile();
        reconciler.reconcile();
        List<String> steady = requests();
        assertThat(first).anyMatch(r -> r.contains("/podtemplates")).noneMatch(r -> r.contains("autoscaling.x-k8s.io"));
        assertThat(steady).as("steady passes: no PodTemplate list, no discovery, no writes")
                .noneMatch(r -> r.contains("/podtemplates") || r.contains("autoscaling.x-k8s.io"))
                .allMatch(r -> r.startsWith("GET "));
        assertThat(metrics.get("headstart.headroom.buffer.api.served").gauge().value()).isEqualTo(-1.0);
    }

    /** The requests the mock server received since the last call, as "METHOD path". */
    private List<String> requests() throws InterruptedException {
        List<String> seen = new java.util.ArrayList<>();
        io.fabric8.mockwebserver.http.RecordedRequest r;
        while ((r = ApiRequestRecorder.take(server, 50, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
            seen.add(r.getMethod() + " " + r.getPath());
        }
        return seen;
    }

    private void status(String type, String status, String reason, String message) {
        client.genericKubernetesResources(V1BETA1).inNamespace(NS).withName("headstart-headroom-spot").edit(b -> {
            b.setAdditionalProperty("status", Map.of("conditions", List.of(Map.of("type", type, "status", status,
                    "reason", reason, "message", message, "lastTransitionTime", "2026-12-06T00:00:00Z"))));
            return b;
        });
    }
}
