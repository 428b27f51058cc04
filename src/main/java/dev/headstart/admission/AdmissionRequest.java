package dev.headstart.admission;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The parts of an AdmissionReview request Headstart reads. {@code object} is the tree exactly as
 * received: patches are computed against it. {@code oldObject} is the stored object of an UPDATE
 * (null otherwise): Headstart recomputes its own fields against it.
 */
public record AdmissionRequest(
        String apiVersion,
        String uid,
        String group,
        String version,
        String kind,
        String subResource,
        String operation,
        String namespace,
        String name,
        boolean dryRun,
        JsonNode object,
        JsonNode oldObject) {

    /** A request without a stored object (CREATE, or an UPDATE that did not carry one). */
    public AdmissionRequest(String apiVersion, String uid, String group, String version, String kind,
            String subResource, String operation, String namespace, String name, boolean dryRun, JsonNode object) {
        this(apiVersion, uid, group, version, kind, subResource, operation, namespace, name, dryRun, object, null);
    }
}
