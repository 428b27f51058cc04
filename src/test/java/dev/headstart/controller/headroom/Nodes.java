package dev.headstart.controller.headroom;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

/** Test nodes: Ready, schedulable, with allocatable CPU. */
final class Nodes {

    private Nodes() {
    }

    static Node ready(String name, String cpu) {
        return new NodeBuilder()
                .withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name).addToLabels("kubernetes.io/os", "linux").endMetadata()
                .withNewSpec().withProviderID("aws:///eu-west-1a/i-" + name).endSpec()
                .withNewStatus()
                    .addToAllocatable("cpu", new Quantity(cpu))
                    .addToAllocatable("memory", new Quantity("16Gi"))
                    .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus()
                .build();
    }

    static Node notReady(String name, String cpu) {
        Node node = ready(name, cpu);
        node.getStatus().getConditions().get(0).setStatus("False");
        return node;
    }

    static Node cordoned(String name, String cpu) {
        Node node = ready(name, cpu);
        node.getSpec().setUnschedulable(true);
        return node;
    }

    static Node tainted(String name, String cpu, String key, String value, String effect) {
        Node node = ready(name, cpu);
        node.getSpec().getTaints().add(new io.fabric8.kubernetes.api.model.TaintBuilder()
                .withKey(key).withValue(value).withEffect(effect).build());
        return node;
    }

    static Node labelled(String name, String cpu, String key, String value) {
        Node node = ready(name, cpu);
        node.getMetadata().getLabels().put(key, value);
        return node;
    }
}
