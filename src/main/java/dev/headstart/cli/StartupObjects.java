package dev.headstart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.telemetry.ImagePull;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The pods, nodes and events {@code headstart startup} measures: read from what
 * {@code kubectl get pods,nodes,events -A -o json} (or {@code -o yaml}) prints — a {@code List},
 * or plain documents — or listed from a live cluster page by page.
 */
record StartupObjects(List<Pod> pods, List<Node> nodes, List<Event> events) {

    /** fabric8's own mapping of its model (the shared mapper refuses the model's nested tree reads). */
    private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

    /** Page size of the live lists: one page of pods is a few MiB at most. */
    static final long PAGE = 500;

    static StartupObjects read(String source, InputStream stdin) throws InputException {
        List<Pod> pods = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        for (JsonNode document : ManifestReader.read(source, stdin)) {
            collect(document, pods, nodes, events);
        }
        return new StartupObjects(pods, nodes, events);
    }

    private static void collect(JsonNode document, List<Pod> pods, List<Node> nodes, List<Event> events)
            throws InputException {
        String kind = document.path("kind").asText("");
        if (kind.endsWith("List") && document.path("items").isArray()) {
            for (JsonNode item : document.path("items")) {
                collect(item, pods, nodes, events);
            }
            return;
        }
        String apiVersion = document.path("apiVersion").asText("v1");
        if (!apiVersion.equals("v1")) {
            return;
        }
        switch (kind) {
            case "Pod" -> pods.add(convert(document, Pod.class));
            case "Node" -> nodes.add(convert(document, Node.class));
            case "Event" -> events.add(convert(document, Event.class));
            default -> {
                // other kinds in the dump say nothing about startup
            }
        }
    }

    private static <T> T convert(JsonNode document, Class<T> type) throws InputException {
        try {
            return KUBERNETES.convertValue(document, type);
        } catch (Exception e) {
            String name = document.at("/metadata/namespace").asText("") + "/" + document.at("/metadata/name").asText("");
            throw new InputException("cannot read " + type.getSimpleName() + " " + name + ": "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse("").strip());
        }
    }

    /**
     * Everything from the cluster, in pages of {@link #PAGE}; of the events only the image pulls are
     * kept, page by page. (Filtered here rather than with a {@code reason=Pulled} field selector:
     * the selector is the API server's to honour, and the one a test can run against ignores it.)
     */
    static StartupObjects list(KubernetesClient client) {
        List<Pod> pods = paged(options -> client.pods().inAnyNamespace().list(options), p -> true);
        List<Node> nodes = paged(options -> client.nodes().list(options), n -> true);
        List<Event> events = paged(options -> client.v1().events().inAnyNamespace().list(options),
                e -> ImagePull.of(e).isPresent());
        return new StartupObjects(pods, nodes, events);
    }

    private static <T extends HasMetadata, L extends KubernetesResourceList<T>> List<T> paged(
            Function<ListOptions, L> list, Predicate<T> keep) {
        List<T> all = new ArrayList<>();
        String next = null;
        do {
            L page = list.apply(new ListOptionsBuilder().withLimit(PAGE).withContinue(next).build());
            page.getItems().stream().filter(keep).forEach(all::add);
            next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
        } while (next != null && !next.isEmpty());
        return all;
    }
}
