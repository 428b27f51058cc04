package dev.headstart.controller.headroom;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HeadroomObjectsTest {

    static HeadroomSettings settings(Map<String, String> nodeSelector, List<TaintSpec> tolerations, String cpu) {
        return new HeadroomSettings("headstart-system", "headstart-headroom", -1, "registry.k8s.io/pause:3.10", cpu,
                "1Gi", nodeSelector, tolerations, "headstart-headroom", "params",
                "{\"linear\":{\"nodesPerReplica\":1}}", Map.of(), TaintSpec.parse("headstart.dev/warmup=true:NoSchedule"),
                Duration.ofMillis(100), Duration.ofMinutes(5));
    }

    @Test
    void priorityClassIsBelowWorkloadsAboveTheExpendableCutoffAndNeverPreempts() {
        PriorityClass pc = HeadroomObjects.priorityClass(settings(Map.of(), List.of(), "1"));
        assertThat(pc.getMetadata().getName()).isEqualTo("headstart-headroom");
        assertThat(pc.getValue()).isEqualTo(-1).isGreaterThan(-10);
        assertThat(pc.getPreemptionPolicy()).isEqualTo("Never");
        assertThat(pc.getGlobalDefault()).isFalse();
        assertThat(pc.getDescription()).contains("-10").contains("preempts");
        assertThat(pc.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "headstart");
    }

    @Test
    void deploymentOfPausePods() {
        Deployment d = HeadroomObjects.deployment(settings(Map.of("pool", "general"),
                List.of(TaintSpec.parse("dedicated=apps:NoSchedule"), TaintSpec.parse("spot")), "500m"), 3);
        assertThat(d.getMetadata().getNamespace()).isEqualTo("headstart-system");
        assertThat(d.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "app.kubernetes.io/name", "headstart-headroom", "app.kubernetes.io/managed-by", "headstart",
                "headstart.dev/headroom-pool", "default"));
        assertThat(d.getSpec().getReplicas()).isEqualTo(3);
        assertThat(d.getSpec().getSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name", "headstart-headroom");
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("app.kubernetes.io/name",
                "headstart-headroom");
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getPriorityClassName()).isEqualTo("headstart-headroom");
        assertThat(pod.getTerminationGracePeriodSeconds()).isZero();
        // Linux only: the pod's security context (runAsUser, seccomp) means nothing on Windows nodes.
        assertThat(pod.getNodeSelector()).isEqualTo(Map.of("pool", "general", "kubernetes.io/os", "linux"));
        assertThat(pod.getTolerations()).extracting(Toleration::getKey, Toleration::getOperator, Toleration::getValue,
                Toleration::getEffect).containsExactly(
                org.assertj.core.groups.Tuple.tuple("dedicated", "Equal", "apps", "NoSchedule"),
                org.assertj.core.groups.Tuple.tuple("spot", "Exists", null, null));
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        Container pause = pod.getContainers().get(0);
        assertThat(pod.getContainers()).hasSize(1);
        assertThat(pause.getImage()).isEqualTo("registry.k8s.io/pause:3.10");
        assertThat(pause.getResources().getRequests()).isEqualTo(Map.of("cpu", new Quantity("500m"),
                "memory", new Quantity("1Gi")));
        assertThat(pause.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(pause.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(d.getMetadata().getAnnotations()).containsKey(HeadroomObjects.TEMPLATE_HASH);
    }

    @Test
    void templateHashIgnoresReplicasAndFollowsTheTemplate() {
        HeadroomSettings one = settings(Map.of("a", "1", "b", "2"), List.of(), "1");
        String hash = HeadroomObjects.deployment(one, 1).getMetadata().getAnnotations().get(HeadroomObjects.TEMPLATE_HASH);
        assertThat(HeadroomObjects.deployment(one, 7).getMetadata().getAnnotations())
                .containsEntry(HeadroomObjects.TEMPLATE_HASH, hash);
        assertThat(HeadroomObjects.deployment(settings(Map.of("b", "2", "a", "1"), List.of(), "1"), 1)
                .getMetadata().getAnnotations()).containsEntry(HeadroomObjects.TEMPLATE_HASH, hash);
        assertThat(HeadroomObjects.deployment(settings(Map.of(), List.of(), "2"), 1).getMetadata().getAnnotations()
                .get(HeadroomObjects.TEMPLATE_HASH)).isNotEqualTo(hash);
    }

    @Test
    void taintSpecSyntax() {
        assertThat(TaintSpec.parse("headstart.dev/warmup=true:NoSchedule"))
                .isEqualTo(new TaintSpec("headstart.dev/warmup", "true", "NoSchedule"));
        assertThat(TaintSpec.parse("Lifecycle=Warmup")).isEqualTo(new TaintSpec("Lifecycle", "Warmup", null));
        assertThat(TaintSpec.parse("spot:NoExecute")).isEqualTo(new TaintSpec("spot", null, "NoExecute"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TaintSpec.parse("a=b:Sometimes"))
                .hasMessageContaining("effect must be one of");
    }

    /** Issue 25: the buffer's PodTemplate is the pause pod without a class; the buffer sets only its two fields. */
    @Test
    void theBufferTemplateIsThePausePodWithoutAClassAndItsHashIsStable() {
        HeadroomSettings settings = settings(Map.of(), List.of(), "1");
        HeadroomPool pool = HeadroomPool.parseAll("""
                {"pools":[{"name":"spot","mode":"buffer","nodeSelector":{"node-group":"spot"},"linear":{"nodesPerReplica":1},
                  "shape":{"cpu":"2","nvidia.com/gpu":"1"},
                  "requiredNodeAffinity":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"a","operator":"Exists"}]}]}}]}""",
                settings).pools().get("spot");
        var template = HeadroomObjects.podTemplate(settings, pool, "eu-west-1a");
        var pod = template.getTemplate().getSpec();
        assertThat(template.getMetadata().getName()).isEqualTo("headstart-headroom-spot-eu-west-1a");
        assertThat(pod.getPriorityClassName()).isNull();
        assertThat(pod.getNodeSelector()).containsEntry("topology.kubernetes.io/zone", "eu-west-1a");
        assertThat(pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms()).hasSize(1);
        assertThat(pod.getContainers().get(0).getResources().getLimits()).as("extended resources: limit = request")
                .containsKey("nvidia.com/gpu");
        assertThat(template.getMetadata().getAnnotations().get(HeadroomObjects.TEMPLATE_HASH))
                .isEqualTo(HeadroomObjects.podTemplate(settings, pool, "eu-west-1a").getMetadata().getAnnotations()
                        .get(HeadroomObjects.TEMPLATE_HASH))
                .isNotEqualTo(HeadroomObjects.podTemplate(settings, pool, "eu-west-1b").getMetadata().getAnnotations()
                        .get(HeadroomObjects.TEMPLATE_HASH));
        var buffer = HeadroomObjects.capacityBuffer("autoscaling.x-k8s.io/v1beta1", template, 3);
        assertThat(buffer.getKind()).isEqualTo("CapacityBuffer");
        assertThat(buffer.getAdditionalProperties().get("spec")).isEqualTo(Map.of(
                "podTemplateRef", Map.of("name", "headstart-headroom-spot-eu-west-1a"), "replicas", 3));
    }

    /** A pool without required node affinity keeps the template (and hash) it had: no roll on upgrade. */
    @Test
    void noAffinityNoChangeToTheTemplate() {
        HeadroomSettings settings = settings(Map.of(), List.of(), "1");
        assertThat(HeadroomObjects.deployment(settings, 2).getSpec().getTemplate().getSpec().getAffinity()).isNull();
    }
}
