package dev.headstart.imagecache;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small builders for nodes, pod templates and their constraints. */
final class PlanFixtures {

    private PlanFixtures() {
    }

    static Map<String, String> labels(String... keyValues) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            labels.put(keyValues[i], keyValues[i + 1]);
        }
        return labels;
    }

    /** A Linux amd64 node with these labels (which may override os and arch) and taints. */
    static NodeFacts node(String name, Map<String, String> labels, Taint... taints) {
        Map<String, String> all = labels(NodeFacts.OS_LABEL, "linux", NodeFacts.ARCH_LABEL, "amd64");
        all.putAll(labels);
        return new NodeFacts(name, all, List.of(taints));
    }

    static NodeFacts node(String name, Taint... taints) {
        return node(name, Map.of(), taints);
    }

    static Taint taint(String key, String value, String effect) {
        return new TaintBuilder().withKey(key).withValue(value).withEffect(effect).build();
    }

    static Toleration toleration(String key, String operator, String value, String effect) {
        return new TolerationBuilder().withKey(key).withOperator(operator).withValue(value).withEffect(effect).build();
    }

    static NodeSelectorRequirement requirement(String key, String operator, String... values) {
        return new NodeSelectorRequirementBuilder().withKey(key).withOperator(operator).withValues(Arrays.asList(values)).build();
    }

    static NodeSelectorTerm term(NodeSelectorRequirement... expressions) {
        return new NodeSelectorTermBuilder().withMatchExpressions(expressions).build();
    }

    static NodeSelectorTerm fieldTerm(NodeSelectorRequirement... fields) {
        return new NodeSelectorTermBuilder().withMatchFields(fields).build();
    }

    static Template pod(String... images) {
        return new Template(images);
    }

    static WorkloadTemplate workload(String namespace, String name, Template template) {
        return new WorkloadTemplate(namespace, "Deployment", name, template.spec(), template.serviceAccountSecrets);
    }

    /** A pod template under construction. */
    static final class Template {
        private final List<String> images;
        private final Map<String, String> selector = new LinkedHashMap<>();
        private final List<NodeSelectorTerm> terms = new ArrayList<>();
        private boolean affinity;
        private final List<Toleration> tolerations = new ArrayList<>();
        private final List<String> secrets = new ArrayList<>();
        private List<String> serviceAccountSecrets = List.of();
        private final List<String> initImages = new ArrayList<>();

        Template(String... images) {
            this.images = List.of(images);
        }

        Template selector(String key, String value) {
            selector.put(key, value);
            return this;
        }

        Template affinity(NodeSelectorTerm... required) {
            affinity = true;
            terms.addAll(List.of(required));
            return this;
        }

        Template tolerates(Toleration... given) {
            tolerations.addAll(List.of(given));
            return this;
        }

        Template secrets(String... names) {
            secrets.addAll(List.of(names));
            return this;
        }

        Template serviceAccountSecrets(String... names) {
            serviceAccountSecrets = List.of(names);
            return this;
        }

        Template init(String... given) {
            initImages.addAll(List.of(given));
            return this;
        }

        PodSpec spec() {
            PodSpecBuilder builder = new PodSpecBuilder();
            for (int i = 0; i < images.size(); i++) {
                builder.addNewContainer().withName("c" + i).withImage(images.get(i)).endContainer();
            }
            for (int i = 0; i < initImages.size(); i++) {
                builder.addNewInitContainer().withName("i" + i).withImage(initImages.get(i)).endInitContainer();
            }
            if (!selector.isEmpty()) {
                builder.withNodeSelector(selector);
            }
            if (affinity) {
                builder.withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                        .withNodeSelectorTerms(terms).endRequiredDuringSchedulingIgnoredDuringExecution()
                        .endNodeAffinity().endAffinity();
            }
            builder.withTolerations(tolerations);
            builder.withImagePullSecrets(secrets.stream().map(LocalObjectReference::new).toList());
            return builder.build();
        }
    }
}
