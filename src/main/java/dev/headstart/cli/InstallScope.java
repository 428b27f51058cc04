package dev.headstart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import dev.headstart.cluster.LabelSelector;
import dev.headstart.rules.Workload;
import dev.headstart.rules.WorkloadKind;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the install's webhooks would never admit, so the CLI leaves it alone as the cluster would:
 * the namespaceSelector and objectSelector of the webhook configurations in
 * {@code manifests/base/webhooks.yaml}, bundled into the jar at build time (one source of truth).
 *
 * <p>A DaemonSet is judged by the DaemonSet webhook on its own labels (the webhook mutates its
 * template); every other workload by the Pod webhook on its pod template's labels, since its pods
 * are what the cluster admits. The namespace is taken as opted in ({@code headstart.dev/inject=enabled},
 * the CLI shows what an opted-in namespace gets) with the {@code kubernetes.io/metadata.name} label
 * the API server sets; an object without a namespace is judged on its labels only.
 */
final class InstallScope {

    static final String RESOURCE = "/dev/headstart/cli/webhooks.yaml";
    private static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
    private static final String OPT_IN_LABEL = "headstart.dev/inject";

    /** One webhook's selectors, for the resource it admits. */
    private record Webhook(String name, String resource, JsonNode namespaceSelector, JsonNode objectSelector) {
    }

    private final List<Webhook> webhooks;

    private InstallScope(List<Webhook> webhooks) {
        this.webhooks = webhooks;
    }

    /** The scope of the mutating ({@code MutatingWebhookConfiguration}) or validating webhooks. */
    static InstallScope of(String configurationKind) {
        List<Webhook> found = new ArrayList<>();
        try (InputStream in = InstallScope.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the jar (pom.xml copies manifests/base/webhooks.yaml)");
            }
            try (MappingIterator<JsonNode> documents = ManifestReader.YAML.readerFor(JsonNode.class).readValues(in)) {
                while (documents.hasNextValue()) {
                    JsonNode configuration = documents.nextValue();
                    if (!configurationKind.equals(configuration.path("kind").asText())) {
                        continue;
                    }
                    for (JsonNode webhook : configuration.path("webhooks")) {
                        for (JsonNode rule : webhook.path("rules")) {
                            for (JsonNode resource : rule.path("resources")) {
                                found.add(new Webhook(webhook.path("name").asText(), resource.asText(),
                                        webhook.path("namespaceSelector"), webhook.path("objectSelector")));
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new InstallScope(List.copyOf(found));
    }

    /** Why the install would not admit this workload, or empty when it would. */
    Optional<String> exclusion(Workload workload) {
        boolean daemonSet = workload.kind() == WorkloadKind.DAEMON_SET;
        String resource = daemonSet ? "daemonsets" : "pods";
        Webhook webhook = webhooks.stream().filter(w -> w.resource().equals(resource)).findFirst().orElse(null);
        if (webhook == null) {
            return Optional.of("no webhook of the install admits " + resource);
        }
        String namespace = workload.namespace();
        if (namespace != null && !namespace.isEmpty()) {
            Map<String, String> namespaceLabels = Map.of(NAMESPACE_NAME_LABEL, namespace, OPT_IN_LABEL, "enabled");
            if (!LabelSelector.matches(webhook.namespaceSelector(), namespaceLabels)) {
                return Optional.of("namespace " + namespace + " is outside " + webhook.name() + "'s namespaceSelector");
            }
        }
        JsonNode labelled = daemonSet || workload.isPod() ? workload.root() : podTemplate(workload);
        Map<String, String> labels = labels(labelled);
        if (!LabelSelector.matches(webhook.objectSelector(), labels)) {
            return Optional.of((daemonSet || workload.isPod() ? "its labels" : "its pod template's labels")
                    + " are outside " + webhook.name() + "'s objectSelector (Headstart's own objects)");
        }
        return Optional.empty();
    }

    private static JsonNode podTemplate(Workload workload) {
        JsonNode spec = workload.root().path("spec");
        return workload.kind() == WorkloadKind.CRON_JOB
                ? spec.path("jobTemplate").path("spec").path("template") : spec.path("template");
    }

    private static Map<String, String> labels(JsonNode object) {
        Map<String, String> labels = new HashMap<>();
        if (object != null) {
            object.path("metadata").path("labels").properties()
                    .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        }
        return labels;
    }
}
