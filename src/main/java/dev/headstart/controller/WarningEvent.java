package dev.headstart.controller;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.time.Instant;

/**
 * A Warning Event (core/v1, what {@code kubectl describe} and {@code kubectl get events} show) the
 * controller records about an object: one Event per occurrence (count 1), named after the object
 * plus a time-based suffix as client-go's recorder names them ({@code <name>.<hex time>}, here with
 * a few bits of the nanosecond clock so two Events in one millisecond do not collide), its message
 * cut at {@value #MAX_MESSAGE} characters. Best effort: an Event the API server refuses is logged,
 * and the reconciler goes on.
 */
public final class WarningEvent {

    static final int MAX_MESSAGE = 1000;
    private static final String SOURCE = "headstart-controller";
    private static final Logger LOG = Logger.getLogger(WarningEvent.class);

    private WarningEvent() {
    }

    /** A core/v1 object (apiVersion v1) as an Event's involvedObject. */
    public static ObjectReference about(String kind, ObjectMeta object) {
        return new ObjectReferenceBuilder().withApiVersion("v1").withKind(kind).withNamespace(object.getNamespace())
                .withName(object.getName()).withUid(object.getUid()).build();
    }

    /**
     * @param namespace where the Event is written (a cluster-scoped object's go to a namespace of the caller's choosing)
     * @return whether the Event was written
     */
    public static boolean record(KubernetesClient client, String namespace, ObjectReference about, String reason,
            String message, Instant at) {
        String ts = at.toString();
        try {
            client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                    .withNewMetadata()
                        .withName(about.getName() + "." + Long.toHexString(at.toEpochMilli())
                                + Long.toHexString(System.nanoTime() & 0xfff))
                        .withNamespace(namespace)
                    .endMetadata()
                    .withInvolvedObject(about)
                    .withReason(reason)
                    .withType("Warning")
                    .withMessage(message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "…" : message)
                    .withFirstTimestamp(ts)
                    .withLastTimestamp(ts)
                    .withCount(1)
                    .withNewSource().withComponent(SOURCE).endSource()
                    .build()).create();
            return true;
        } catch (KubernetesClientException e) {
            LOG.warnf("%s %s%s: event %s not recorded: %s", about.getKind(), about.getNamespace() == null ? ""
                    : about.getNamespace() + "/", about.getName(), reason, e.getMessage());
            return false;
        }
    }
}
