package dev.headstart.controller.headroom;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.headstart.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 25, {@code shapeFrom} and {@code requiredNodeAffinity}: a pause pod sized as the scheduler
 * counts one pod of a named workload, kept in step with it; a pool placed (and counted) by required
 * node affinity.
 */
class HeadroomShapeFromTest extends HeadroomMockClusterTest {


    @BeforeEach
    void setUp() {
        for (int i = 0; i < 4; i++) {
            Node node = Nodes.labelled("n-" + i, "8", "node-group", "apps");
            node.getMetadata().getLabels().put("karpenter.sh/capacity-type", i < 3 ? "spot" : "on-demand");
            client.nodes().resource(node).create();
        }
    }

    private static PodSpec web(String cpu, String memory) {
        return new PodSpecBuilder()
                .addToContainers(new ContainerBuilder().withName("app").withImage("shop/web:1").withNewResources()
                        .addToRequests("cpu", new Quantity(cpu)).addToRequests("memory", new Quantity(memory))
                        .endResources().build())
                // a sidecar (restartable init container) counts with the containers
                .addToInitContainers(new ContainerBuilder().withName("proxy").withImage("proxy:1").withRestartPolicy("Always")
                        .withNewResources().addToRequests("cpu", new Quantity("250m")).addToLimits("memory", new Quantity("128Mi"))
                        .endResources().build())
                .build();
    }

    private void deployment(PodSpec spec) {
        client.apps().deployments().inNamespace("shop").resource(new DeploymentBuilder().withNewMetadata().withName("web")
                .withNamespace("shop").endMetadata().withNewSpec().withReplicas(3).withNewSelector().addToMatchLabels("app", "web")
                .endSelector().withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata().withSpec(spec)
                .endTemplate().endSpec().build()).createOr(existing -> existing.update());
    }

    private Map<String, Quantity> pausePodRequests(String name) {
        Deployment d = client.apps().deployments().inNamespace(NS).withName(name).get();
        return d == null ? null : d.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getRequests();
    }

    private List<Event> events(String reason) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).toList();
    }

    private static final String FROM_WEB = """
            {"pools":[{"name":"web","shapeFrom":{"kind":"Deployment","namespace":"shop","name":"web"},
              "nodeSelector":{"node-group":"apps"},"linear":{"nodesPerReplica":2}%s}]}""";

    @Test
    void podRequestsAsTheSchedulerCountsThemSizeThePausePodAndFollowAChange() {
        deployment(web("1500m", "3Gi"));
        params(FROM_WEB.formatted(""));
        reconciler.reconcile();
        // 1500m + the sidecar's 250m; 3Gi + the sidecar's 128Mi (its limit stands in for the missing request).
        assertThat(pausePodRequests("headstart-headroom-web")).isEqualTo(Map.of("cpu", new Quantity("1.75"),
                "memory", new Quantity(String.valueOf(3L * 1024 * 1024 * 1024 + 128L * 1024 * 1024))));
        Deployment pause = client.apps().deployments().inNamespace(NS).withName("headstart-headroom-web").get();
        assertThat(pause.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits())
                .as("memory limit = request, as for an explicit shape").containsKey("memory");

        String version = pause.getMetadata().getResourceVersion();
        reconciler.reconcile();
        assertThat(client.apps().deployments().inNamespace(NS).withName("headstart-headroom-web").get().getMetadata()
                .getResourceVersion()).as("no write while the workload stays the same").isEqualTo(version);

        deployment(web("2", "3Gi"));
        reconciler.reconcile();
        assertThat(pausePodRequests("headstart-headroom-web")).containsEntry("cpu", new Quantity("2.25"));
    }

    /**
     * The RuntimeClass admission plugin sets a pod's overhead from its class, and the scheduler
     * counts it with the requests (plugin/pkg/admission/runtimeclass/admission.go): the placeholder
     * reserves it too.
     */
    @Test
    void aRuntimeClassesPodOverheadIsPartOfTheShape() {
        client.resources(io.fabric8.kubernetes.api.model.node.v1.RuntimeClass.class).resource(
                new io.fabric8.kubernetes.api.model.node.v1.RuntimeClassBuilder().withNewMetadata().withName("gvisor")
                        .endMetadata().withHandler("runsc").withNewOverhead()
                        .addToPodFixed("cpu", new Quantity("250m")).addToPodFixed("memory", new Quantity("64Mi"))
                        .endOverhead().build()).create();
        PodSpec spec = web("1500m", "1Gi");
        spec.setRuntimeClassName("gvisor");
        deployment(spec);
        params(FROM_WEB.formatted(""));
        reconciler.reconcile();
        // 1500m + the sidecar's 250m + the class's 250m; 1Gi + 128Mi + 64Mi.
        assertThat(pausePodRequests("headstart-headroom-web")).isEqualTo(Map.of("cpu", new Quantity("2"),
                "memory", new Quantity(String.valueOf((1024L + 128 + 64) * 1024 * 1024))));
    }

    @Test
    void aStatefulSetWorksTooAndPercentageCountsInPodsOfItsShape() {
        client.apps().statefulSets().inNamespace("db").resource(new StatefulSetBuilder().withNewMetadata().withName("pg")
                .withNamespace("db").endMetadata().withNewSpec().withNewTemplate().withSpec(web("3750m", "8Gi"))
                .endTemplate().endSpec().build()).create();
        params("""
                {"pools":[{"name":"db","shapeFrom":{"kind":"StatefulSet","namespace":"db","name":"pg"},
                  "nodeSelector":{"node-group":"apps"},"percentage":{"cpu":25}}]}""");
        reconciler.reconcile();
        // 25% of 32 cores = 8 cores, in pods of 4 CPU: 2.
        assertThat(pausePodRequests("headstart-headroom-db")).containsEntry("cpu", new Quantity("4"));
        assertThat(client.apps().deployments().inNamespace(NS).withName("headstart-headroom-db").get().getSpec()
                .getReplicas()).isEqualTo(2);
    }

    @Test
    void aMissingWorkloadFallsBackToTheOwnShapeOrSkipsThePoolOnceAndTheOthersGoOn() {
        params("""
                {"pools":[
                  {"name":"fallback","shapeFrom":{"kind":"Deployment","namespace":"shop","name":"web"},"shape":{"cpu":"500m"},
                   "nodeSelector":{"node-group":"apps"},"linear":{"nodesPerReplica":2}},
                  {"name":"skipped","shapeFrom":{"kind":"Deployment","namespace":"shop","name":"gone"},
                   "nodeSelector":{"node-group":"apps"},"linear":{"nodesPerReplica":2}},
                  {"name":"plain","nodeSelector":{"node-group":"apps"},"linear":{"nodesPerReplica":4}}
                ]}""");
        reconciler.reconcile();
        reconciler.reconcile();

        assertThat(pausePodRequests("headstart-headroom-fallback")).isEqualTo(Map.of("cpu", new Quantity("500m")));
        assertThat(pausePodRequests("headstart-headroom-skipped")).as("no shape to fall back to: nothing created").isNull();
        assertThat(pausePodRequests("headstart-headroom-plain")).isNotNull();
        List<Event> missing = events("HeadroomShapeFromMissing");
        assertThat(missing).as("once per pool, not once per pass").hasSize(2);
        assertThat(missing).extracting(Event::getMessage).anyMatch(m -> m.contains("pool fallback")
                && m.contains("Deployment shop/web does not exist") && m.contains("its own shape is used"));
        assertThat(missing).extracting(Event::getMessage).anyMatch(m -> m.contains("pool skipped")
                && m.contains("no shape of its own"));

        deployment(web("1", "1Gi"));
        reconciler.reconcile();
        assertThat(pausePodRequests("headstart-headroom-fallback")).containsEntry("cpu", new Quantity("1.25"));
    }

    @Test
    void aChangeOfTheWorkloadIsFollowedThroughItsOwnWatchWithoutAnyOtherEvent() {
        deployment(web("1", "1Gi"));
        params(FROM_WEB.formatted(""));
        reconciler.start();
        await(Duration.ofSeconds(30), "the first pass", () -> pausePodRequests("headstart-headroom-web") != null);
        await(Duration.ofSeconds(30), "the workload watched", () -> !reconciler.shapeWatches().watched().isEmpty());

        client.apps().deployments().inNamespace("shop").withName("web").edit(d -> {
            d.getMetadata().setGeneration(2L); // the API server bumps it on a spec change; the mock does not
            d.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getRequests()
                    .put("cpu", new Quantity("3"));
            return d;
        });
        await(Duration.ofSeconds(30), "the pause pod follows the workload",
                () -> new Quantity("3.25").equals(pausePodRequests("headstart-headroom-web").get("cpu")));
    }

    @Test
    void inBufferModeThePodTemplateFollowsTheWorkload() {
        client.apiextensions().v1().customResourceDefinitions().resource(dev.headstart.testing.CapacityBufferCrd.definition())
                .create();
        deployment(web("1", "1Gi"));
        params(FROM_WEB.formatted(",\"mode\":\"buffer\""));
        reconciler.reconcile();
        deployment(web("2", "1Gi"));
        reconciler.reconcile();
        assertThat(client.v1().podTemplates().inNamespace(NS).withName("headstart-headroom-web").get().getTemplate()
                .getSpec().getContainers().get(0).getResources().getRequests()).containsEntry("cpu", new Quantity("2.25"));
    }

    @Test
    void requiredNodeAffinityPlacesThePausePodsAndLimitsTheCensus() {
        params("""
                {"pools":[{"name":"spot","nodeSelector":{"node-group":"apps"},"linear":{"nodesPerReplica":1},
                  "requiredNodeAffinity":{"nodeSelectorTerms":[{"matchExpressions":[
                    {"key":"karpenter.sh/capacity-type","operator":"In","values":["spot"]}]}]}}]}""");
        reconciler.reconcile();
        Deployment pause = client.apps().deployments().inNamespace(NS).withName("headstart-headroom-spot").get();
        assertThat(pause.getSpec().getReplicas()).as("three of the four nodes are spot").isEqualTo(3);
        var terms = pause.getSpec().getTemplate().getSpec().getAffinity().getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
        assertThat(terms).hasSize(1);
        assertThat(terms.get(0).getMatchExpressions().get(0).getKey()).isEqualTo("karpenter.sh/capacity-type");
    }

    @Test
    void podRequestsTable() {
        assertThat(WorkloadShape.of(web("1", "1Gi"))).isEqualTo(Map.of("cpu", new Quantity("1.25"),
                "memory", new Quantity(String.valueOf(1024L * 1024 * 1024 + 128L * 1024 * 1024))));
        // an init container that needs more than the running pod sets the pod's request
        PodSpec init = new PodSpecBuilder(web("1", "1Gi")).addToInitContainers(new ContainerBuilder().withName("migrate")
                .withNewResources().addToRequests("cpu", new Quantity("4")).endResources().build()).build();
        assertThat(WorkloadShape.of(init)).containsEntry("cpu", new Quantity("4.25"));
        // pod-level requests replace cpu and memory; an extended resource is kept
        PodSpec podLevel = new PodSpecBuilder(web("1", "1Gi")).withNewResources().addToRequests("cpu", new Quantity("6"))
                .endResources().build();
        podLevel.getContainers().get(0).getResources().getRequests().put("nvidia.com/gpu", new Quantity("1"));
        assertThat(WorkloadShape.of(podLevel)).containsEntry("cpu", new Quantity("6")).containsEntry("nvidia.com/gpu",
                new Quantity("1"));
        assertThat(WorkloadShape.of(new PodSpecBuilder().addNewContainer().withName("a").endContainer().build())).isEmpty();
    }
}
