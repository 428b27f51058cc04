package dev.headstart.admission;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The parts of an AdmissionReview request Headstart reads. {@code object} is the tree exactly as
 * received: patches are computed against it.
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
        JsonNode object) {
}
