package dev.headstart.admission;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The parts of an AdmissionReview request Headstart reads. {@code object} is the tree exactly as
 * received: patches are computed against it. {@code oldObject} is the stored object on UPDATE
 * (null otherwise).
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

    /** A request without an old object (CREATE, or a caller that does not need it). */
    public AdmissionRequest(String apiVersion, String uid, String group, String version, String kind,
            String subResource, String operation, String namespace, String name, boolean dryRun, JsonNode object) {
        this(apiVersion, uid, group, version, kind, subResource, operation, namespace, name, dryRun, object, null);
    }
}
