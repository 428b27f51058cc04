package dev.headstart.controller.informers;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The workload stores keep of each container only what the image cache reads (name, image,
 * resources, restart policy), and the informer's handlers still get the object whole.
 */
class PodTemplateContainersTest {

    static Deployment deployment() {
        return new DeploymentBuilder()
                .withNewMetadata().withName("web").withNamespace("shop").withUid("u1").withResourceVersion("7").endMetadata()
                .withNewSpec().withReplicas(3).withNewTemplate().withNewSpec()
                    .addNewInitContainer().withName("proxy").withImage("envoy:1.31").withRestartPolicy("Always")
                        .addNewEnv().withName("MODE").withValue("sidecar").endEnv()
                        .withNewResources().addToRequests("cpu", new Quantity("100m")).endResources()
                    .endInitContainer()
                    .addNewContainer().withName("app").withImage("ghcr.io/acme/web:1.2")
                        .addNewEnv().withName("BIG").withValue("x".repeat(4_000)).endEnv()
                        .withNewReadinessProbe().withNewHttpGet().withPath("/ready").endHttpGet().endReadinessProbe()
                        .addNewPort().withContainerPort(8080).endPort()
                        .withNewResources().addToRequests(Map.of("cpu", new Quantity("2"), "nvidia.com/gpu", new Quantity("1")))
                            .addToLimits("nvidia.com/gpu", new Quantity("1")).endResources()
                    .endContainer()
                .endSpec().endTemplate().endSpec()
                .build();
    }

    @Test
    void theStoreKeepsImageResourcesAndRestartPolicyAndTheHandlersSeeTheWholeObject() {
        SlimItemStore<Deployment> store = new SlimItemStore<>(Deployment.class, new KubernetesSerialization(),
                ControllerKinds.DEPLOYMENTS.storedFields(), java.util.Set.of(), ControllerKinds.DEPLOYMENTS.trim());
        Deployment delivered = deployment();
        store.put("shop/web", delivered);

        // What the informer hands its handlers next: unchanged.
        assertThat(delivered).isEqualTo(deployment());

        Deployment kept = store.get("shop/web");
        Container app = kept.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(app.getName()).isEqualTo("app");
        assertThat(app.getImage()).isEqualTo("ghcr.io/acme/web:1.2");
        assertThat(app.getResources()).isEqualTo(deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getResources());
        assertThat(app.getEnv()).isEmpty();
        assertThat(app.getReadinessProbe()).isNull();
        assertThat(app.getPorts()).isEmpty();
        Container proxy = kept.getSpec().getTemplate().getSpec().getInitContainers().get(0);
        assertThat(proxy.getRestartPolicy()).isEqualTo("Always");
        assertThat(proxy.getImage()).isEqualTo("envoy:1.31");
        assertThat(proxy.getEnv()).isEmpty();
        assertThat(kept.getSpec().getReplicas()).isEqualTo(3);
    }

    @Test
    void aWorkloadWithoutATemplateIsStoredAsItIs() {
        SlimItemStore<Deployment> store = new SlimItemStore<>(Deployment.class, new KubernetesSerialization(),
                ControllerKinds.DEPLOYMENTS.storedFields(), java.util.Set.of(), ControllerKinds.DEPLOYMENTS.trim());
        Deployment bare = new DeploymentBuilder().withNewMetadata().withName("bare").withNamespace("shop").endMetadata().build();
        store.put("shop/bare", bare);
        assertThat(store.get("shop/bare").getMetadata().getName()).isEqualTo("bare");
    }
}
