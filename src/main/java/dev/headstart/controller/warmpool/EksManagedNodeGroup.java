package dev.headstart.controller.warmpool;

import io.fabric8.kubernetes.api.model.Node;

/**
 * Membership of an Amazon EKS managed node group, read from the label EKS puts on every node of
 * such a group ({@code eks.amazonaws.com/nodegroup=<name>}, passed to kubelet as a node label, so
 * it is there from registration). EKS owns that group's Auto Scaling group and its warm pool, and
 * an instance of it joins the cluster only after it has left the warm pool; see
 * docs/warm-pools.md "EKS managed node groups with native warm pools" for the sources.
 */
public final class EksManagedNodeGroup {

    public static final String LABEL = "eks.amazonaws.com/nodegroup";

    private EksManagedNodeGroup() {
    }

    public static boolean contains(Node node) {
        return node.getMetadata() != null && node.getMetadata().getLabels() != null
                && node.getMetadata().getLabels().containsKey(LABEL);
    }
}
