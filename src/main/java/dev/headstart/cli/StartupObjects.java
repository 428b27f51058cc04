package dev.headstart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.telemetry.PodStartup;
import dev.headstart.telemetry.StartupReport;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The startup report of what {@code kubectl get pods,nodes,events -A -o json} (or {@code -o yaml},
 * or {@code events.events.k8s.io}) prints — a {@code List}, or plain documents — or of a live
 * cluster listed page by page. Each object is reduced to what the report keeps as soon as it is
 * read ({@link StartupReport.Builder}): per pod its group and uid and a few figures, and only the
 * slowest pods the page draws — memory grows by a few hundred bytes a pod, not with the dump.
 */
final class StartupObjects {

    /** fabric8's own mapping of its model (the shared mapper refuses the model's nested tree reads). */
    private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

    /** Page size of the live lists: one page of pods is a few MiB at most. */
    static final long PAGE = 500;

    private StartupObjects() {
    }

    /** The report of a dump; an object that cannot be read throws, and the reader skips and counts it. */
    static StartupReport read(ManifestReader dump, int keepSlowest) throws InputException {
        StartupReport.Builder report = new StartupReport.Builder(PodStartup.HORIZON, keepSlowest);
        dump.each(document -> collect(document, report));
        return report.build();
    }

    private static void collect(JsonNode document, StartupReport.Builder report) {
        String apiVersion = document.path("apiVersion").asText("v1");
        switch (apiVersion + " " + document.path("kind").asText("")) {
            case "v1 Pod" -> report.addPod(KUBERNETES.convertValue(withoutUnread(document), Pod.class));
            case "v1 Node" -> report.addNode(KUBERNETES.convertValue(document, Node.class));
            case "v1 Event" -> report.addEvent(KUBERNETES.convertValue(document, Event.class));
            case "events.k8s.io/v1 Event" ->
                    report.addEvent(KUBERNETES.convertValue(document, io.fabric8.kubernetes.api.model.events.v1.Event.class));
            default -> {
                // other kinds in the dump say nothing about startup
            }
        }
    }

    /**
     * A pod's spec and managed fields are most of its bytes and nothing the report reads: dropped
     * before fabric8 maps the rest (a third of the time on a large dump).
     */
    private static JsonNode withoutUnread(JsonNode pod) {
        if (pod instanceof ObjectNode object) {
            object.remove("spec");
            if (object.get("metadata") instanceof ObjectNode metadata) {
                metadata.remove("managedFields");
            }
        }
        return pod;
    }

    /**
     * The report of the cluster, listed in pages of {@link #PAGE}, each page reduced before the
     * next is asked for. (Pull events are filtered here rather than with a {@code reason=Pulled}
     * field selector: the selector is the API server's to honour, and the one a test can run
     * against ignores it.)
     */
    static StartupReport list(KubernetesClient client, int keepSlowest) {
        StartupReport.Builder report = new StartupReport.Builder(PodStartup.HORIZON, keepSlowest);
        paged(options -> client.pods().inAnyNamespace().list(options), report::addPod);
        paged(options -> client.nodes().list(options), report::addNode);
        paged(options -> client.v1().events().inAnyNamespace().list(options), report::addEvent);
        return report.build();
    }

    private static <T extends HasMetadata, L extends KubernetesResourceList<T>> void paged(
            Function<ListOptions, L> list, Consumer<T> each) {
        String next = null;
        do {
            L page = list.apply(new ListOptionsBuilder().withLimit(PAGE).withContinue(next).build());
            page.getItems().forEach(each);
            next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
        } while (next != null && !next.isEmpty());
    }
}
