package dev.headstart.controller.headroom;

import dev.headstart.testing.ApiRequestRecorder;
import dev.headstart.cluster.Component;
import dev.headstart.testing.ComponentClient;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

import static dev.headstart.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

@EnableKubernetesMockClient(crud = true)
class HeadroomReconcilerTest {

    private static final String NS = "headstart-system";
    private static final Duration WAIT = Duration.ofSeconds(30); // informers and the mock server on a loaded CI host

    KubernetesMockServer server;
    /** Fixtures; the reconciler gets {@link #controller}, a client that identifies as the controller. */
    KubernetesClient client;
    private KubernetesClient controller;
    private final MeterRegistry metrics = new SimpleMeterRegistry();
    private HeadroomReconciler reconciler;

    private final HeadroomSettings settings = HeadroomObjectsTest.settings(Map.of(), List.of(), "1");

    @BeforeEach
    void controllerClient() {
        controller = ComponentClient.of(Component.CONTROLLER, server, client);
    }

    @AfterEach
    void stop() {
        if (reconciler != null) {
            reconciler.stop();
        }
        controller.close();
    }

    private Deployment deployment() {
        return client.apps().deployments().inNamespace(NS).withName("headstart-headroom").get();
    }

    private Integer replicas() {
        Deployment d = deployment();
        return d == null ? null : d.getSpec().getReplicas();
    }

    private void awaitReplicas(int expected, String why) {
        await(WAIT, why + ": " + expected + " replicas", () -> Objects.equals(replicas(), expected));
        await(WAIT, "gauge " + expected, () -> gauge() == expected);
    }

    private double gauge() {
        return metrics.get("headstart.headroom.replicas").gauge().value();
    }

    private double invalidCount() {
        return metrics.get("headstart.headroom.params.invalid").counter().count();
    }

    private void params(String json) {
        ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName("headstart-headroom").withNamespace(NS)
                .endMetadata().withData(Map.of("params", json)).build();
        client.configMaps().inNamespace(NS).resource(cm).createOr(existing -> existing.update());
    }

    private void node(Node node) {
        client.nodes().resource(node).create();
    }

    private void editNode(String name, UnaryOperator<Node> change) {
        client.nodes().withName(name).edit(change);
    }

    private List<Event> events() {
        return client.v1().events().inNamespace(NS).list().getItems();
    }

    @Test
    void createsPriorityClassDefaultParamsAndDeploymentAndDoesNotChurn() {
        node(Nodes.ready("n1", "4"));
        reconciler = new HeadroomReconciler(controller, settings, metrics);

        HeadroomPlan plan = reconciler.reconcile().orElseThrow();

        assertThat(plan.replicas()).isEqualTo(1);
        PriorityClass pc = client.scheduling().v1().priorityClasses().withName("headstart-headroom").get();
        assertThat(pc.getValue()).isEqualTo(-1);
        assertThat(pc.getPreemptionPolicy()).isEqualTo("Never");
        ConfigMap cm = client.configMaps().inNamespace(NS).withName("headstart-headroom").get();
        assertThat(cm.getData()).containsEntry("params", settings.defaultParams());
        Deployment d = deployment();
        assertThat(d.getSpec().getReplicas()).isEqualTo(1);
        assertThat(d.getSpec().getTemplate().getSpec().getPriorityClassName()).isEqualTo("headstart-headroom");
        assertThat(gauge()).isEqualTo(1.0);

        String deploymentVersion = d.getMetadata().getResourceVersion();
        String classVersion = pc.getMetadata().getResourceVersion();
        reconciler.reconcile();
        reconciler.reconcile();
        assertThat(deployment().getMetadata().getResourceVersion()).as("no write when nothing changed")
                .isEqualTo(deploymentVersion);
        assertThat(client.scheduling().v1().priorityClasses().withName("headstart-headroom").get().getMetadata()
                .getResourceVersion()).isEqualTo(classVersion);
    }

    @Test
    void restoresTheDescriptionAndLabelsOfTheClassInPlaceKeepingOtherLabels() {
        node(Nodes.ready("n1", "4"));
        reconciler = new HeadroomReconciler(controller, settings, metrics);
        reconciler.reconcile();
        String uid = client.scheduling().v1().priorityClasses().withName("headstart-headroom").get().getMetadata().getUid();
        client.scheduling().v1().priorityClasses().withName("headstart-headroom").edit(pc -> {
            pc.setDescription("edited by hand");
            pc.getMetadata().setLabels(Map.of("team", "platform"));
            return pc;
        });

        reconciler.reconcile();

        PriorityClass pc = client.scheduling().v1().priorityClasses().withName("headstart-headroom").get();
        assertThat(pc.getDescription()).isEqualTo(HeadroomObjects.priorityClass(settings).getDescription());
        assertThat(pc.getMetadata().getLabels()).containsEntry("team", "platform")
                .containsAllEntriesOf(HeadroomObjects.priorityClass(settings).getMetadata().getLabels());
        assertThat(pc.getMetadata().getUid()).as("changed in place, not replaced").isEqualTo(uid);
    }

    @Test
    void replacesAHandEditedPodTemplateAndAPriorityClassWithTheWrongValue() {
        node(Nodes.ready("n1", "4"));
        reconciler = new HeadroomReconciler(controller, settings, metrics);
        reconciler.reconcile();
        client.apps().deployments().inNamespace(NS).withName("headstart-headroom").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("busybox");
            d.getMetadata().getAnnotations().put(HeadroomObjects.TEMPLATE_HASH, "stale");
            return d;
        });
        client.scheduling().v1().priorityClasses().withName("headstart-headroom").delete();
        client.scheduling().v1().priorityClasses().resource(new io.fabric8.kubernetes.api.model.scheduling.v1
                .PriorityClassBuilder().withNewMetadata().withName("headstart-headroom").endMetadata()
                .withValue(-100).withPreemptionPolicy("Never").build()).create();

        reconciler.reconcile();

        assertThat(deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("registry.k8s.io/pause:3.10");
        String used = deployment().getSpec().getTemplate().getSpec().getPriorityClassName();
        assertThat(used).isEqualTo("headstart-headroom-alt");
        assertThat(client.scheduling().v1().priorityClasses().withName(used).get().getValue()).isEqualTo(-1);
        assertThat(client.scheduling().v1().priorityClasses().withName("headstart-headroom").get().getValue())
                .as("a class without Headstart's labels is not Headstart's to delete").isEqualTo(-100);
    }

    private static HeadroomSettings withPriority(HeadroomSettings s, int priority, Duration stabilization) {
        return new HeadroomSettings(s.namespace(), s.name(), priority, s.image(), s.cpu(), s.memory(), s.nodeSelector(),
                s.tolerations(), s.paramsConfigMap(), s.paramsKey(), s.defaultParams(), s.nodeLabels(), s.warmupTaint(),
                s.debounce(), s.resync(), stabilization);
    }

    /** Issue 25 case 3: a new class value rolls the placeholders, and no moment is without the class they name. */
    @Test
    void aNewClassValueRollsThePlaceholdersWithoutAWindowWithoutTheClass() {
        node(Nodes.ready("n1", "4"));
        new HeadroomReconciler(controller, settings, metrics).reconcile();
        String hash = deployment().getMetadata().getAnnotations().get(HeadroomObjects.TEMPLATE_HASH);
        // The reconciler waits for each answer, so the order the mock server received the writes in is
        // the order they were made. (Watch events on two watches carry no order between them.)
        ApiRequestRecorder.takeAll(server);
        reconciler = new HeadroomReconciler(controller, withPriority(settings, -5, Duration.ZERO), new SimpleMeterRegistry());
        reconciler.reconcile();
        List<String> writes = new java.util.ArrayList<>();
        for (var request : ApiRequestRecorder.takeAll(server)) {
            String path = request.getPath().replaceFirst("\\?.*", "");
            if (!request.getMethod().equals("GET") && (path.contains("/priorityclasses") || path.contains("/deployments"))) {
                writes.add(request.getMethod() + " " + path.substring(path.lastIndexOf("/apis/") + 6));
            }
        }
        assertThat(writes).as("the new class exists before the Deployment names it; the old goes after")
                .containsExactly("POST scheduling.k8s.io/v1/priorityclasses",
                        "PATCH apps/v1/namespaces/" + NS + "/deployments/headstart-headroom",
                        "DELETE scheduling.k8s.io/v1/priorityclasses/headstart-headroom");

        Deployment d = deployment();
        assertThat(d.getSpec().getTemplate().getSpec().getPriorityClassName()).isEqualTo("headstart-headroom-alt");
        assertThat(d.getMetadata().getAnnotations().get(HeadroomObjects.TEMPLATE_HASH))
                .as("the template changed, so the Deployment replaces its pods").isNotEqualTo(hash);
        assertThat(client.scheduling().v1().priorityClasses().withName("headstart-headroom-alt").get().getValue())
                .isEqualTo(-5);
        assertThat(client.scheduling().v1().priorityClasses().withName("headstart-headroom").get())
                .as("the old class goes once nothing names it").isNull();

        // The class under its second name is kept in shape like the first (description, labels).
        client.scheduling().v1().priorityClasses().withName("headstart-headroom-alt").edit(pc -> {
            pc.setDescription("edited by hand");
            return pc;
        });
        reconciler.reconcile();
        assertThat(client.scheduling().v1().priorityClasses().withName("headstart-headroom-alt").get().getDescription())
                .isEqualTo(HeadroomObjects.priorityClass(settings).getDescription());

        // And back: the value returns under the first name.
        HeadroomReconciler back = new HeadroomReconciler(controller, settings, new SimpleMeterRegistry());
        back.reconcile();
        assertThat(deployment().getSpec().getTemplate().getSpec().getPriorityClassName()).isEqualTo("headstart-headroom");
        assertThat(client.scheduling().v1().priorityClasses().withName("headstart-headroom").get().getValue()).isEqualTo(-1);
        assertThat(client.scheduling().v1().priorityClasses().withName("headstart-headroom-alt").get()).isNull();
        String steady = deployment().getMetadata().getResourceVersion();
        back.reconcile();
        assertThat(deployment().getMetadata().getResourceVersion()).isEqualTo(steady);
    }

    @Test
    void aLowerPlanWaitsForTheStabilisationWindowAHigherOneDoesNot() {
        params("{\"linear\":{\"nodesPerReplica\":1}}");
        node(Nodes.ready("n1", "4"));
        node(Nodes.ready("n2", "4"));
        reconciler = new HeadroomReconciler(controller, withPriority(settings, -1, Duration.ofHours(1)), metrics);
        assertThat(reconciler.reconcile().orElseThrow().replicas()).isEqualTo(2);
        assertThat(replicas()).isEqualTo(2);

        client.nodes().withName("n2").delete();
        assertThat(reconciler.reconcile().orElseThrow().replicas()).as("the plan").isEqualTo(1);
        assertThat(replicas()).as("a node that flaps deletes no placeholder").isEqualTo(2);
        assertThat(gauge()).isEqualTo(2.0);

        node(Nodes.ready("n3", "4"));
        node(Nodes.ready("n4", "4"));
        reconciler.reconcile();
        assertThat(replicas()).as("scale-up is immediate").isEqualTo(3);
    }

    @Test
    void followsNodesJoiningLeavingNotReadyTaintedCordonedAndConfigMapChanges() {
        params("{\"linear\":{\"nodesPerReplica\":1}}");
        for (String name : List.of("n1", "n2", "n3", "n4")) {
            node(Nodes.ready(name, "4"));
        }
        reconciler = new HeadroomReconciler(controller, settings, metrics);
        reconciler.start();
        awaitReplicas(4, "four Ready nodes");

        node(Nodes.ready("n5", "4"));
        awaitReplicas(5, "a node joined");

        editNode("n5", n -> {
            n.getStatus().getConditions().get(0).setStatus("False");
            return n;
        });
        awaitReplicas(4, "a node became NotReady");

        editNode("n4", n -> {
            n.getSpec().getTaints().add(new TaintBuilder().withKey("headstart.dev/warmup").withValue("true")
                    .withEffect("NoSchedule").build());
            return n;
        });
        awaitReplicas(3, "a node carries the warm-up taint");

        editNode("n3", n -> {
            n.getSpec().setUnschedulable(true);
            return n;
        });
        awaitReplicas(2, "a node was cordoned");

        client.nodes().withName("n2").delete();
        awaitReplicas(1, "a node left");

        params("{\"linear\":{\"coresPerReplica\":1}}");
        awaitReplicas(4, "params now count cores (n1 has 4)");

        params("{\"linear\":{\"includeUnschedulableNodes\":true,\"nodesPerReplica\":0.25}}");
        awaitReplicas(8, "n1 and cordoned n3, four replicas each");
    }

    @Test
    void badParamsKeepTheLastGoodPlanAndAreReportedOnce() {
        params("{\"linear\":{\"nodesPerReplica\":1}}");
        node(Nodes.ready("n1", "4"));
        node(Nodes.ready("n2", "4"));
        reconciler = new HeadroomReconciler(controller, settings, metrics);
        reconciler.start();
        awaitReplicas(2, "two nodes");

        params("{\"linear\":{\"corePerReplica\":1}}");
        await(WAIT, "an Event on the ConfigMap", () -> !events().isEmpty());
        Event event = events().get(0);
        assertThat(event.getType()).isEqualTo("Warning");
        assertThat(event.getReason()).isEqualTo("InvalidHeadroomParams");
        assertThat(event.getInvolvedObject().getKind()).isEqualTo("ConfigMap");
        assertThat(event.getInvolvedObject().getName()).isEqualTo("headstart-headroom");
        assertThat(event.getMessage()).contains("unknown key 'corePerReplica'");
        assertThat(invalidCount()).isEqualTo(1.0);

        // The last good parameters still size the headroom as the cluster changes.
        node(Nodes.ready("n3", "4"));
        awaitReplicas(3, "last good params, one more node");
        reconciler.reconcile();
        assertThat(events()).as("one Event per bad ConfigMap version").hasSize(1);
        assertThat(invalidCount()).isEqualTo(1.0);

        params("{\"ladder\":{\"nodesToReplicas\":[[1,1],[3,10]]}}");
        awaitReplicas(10, "fixed params apply at once");
    }

    @Test
    void stopClosesTheWatchesSoChangesNoLongerResize() {
        params("{\"linear\":{\"nodesPerReplica\":1}}");
        node(Nodes.ready("n1", "4"));
        reconciler = new HeadroomReconciler(controller, settings, metrics);
        reconciler.start();
        awaitReplicas(1, "one node");
        reconciler.stop();
        reconciler.stop(); // twice is fine
        assertThat(gauge()).as("only the leader reports a plan").isZero();

        node(Nodes.ready("n2", "4"));
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertThat(replicas()).isEqualTo(1);

        reconciler.start(); // leadership came back
        awaitReplicas(2, "restarted");
    }
}
