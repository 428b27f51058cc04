package dev.headstart.admission;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * An answer to one admission request. A patch always travels with its type; a denial carries an
 * HTTP-style code and a one-line message. Warnings are given most important first; they are made
 * to fit what kube-apiserver keeps here ({@link AdmissionWarnings#fit}), whoever built the answer.
 */
public record AdmissionResponse(String uid, boolean allowed, JsonNode patch, List<String> warnings, int code,
        String message) {

    public AdmissionResponse {
        warnings = AdmissionWarnings.fit(warnings);
    }

    public static AdmissionResponse allow(String uid, List<String> warnings) {
        return new AdmissionResponse(uid, true, null, warnings, 0, null);
    }

    public static AdmissionResponse patch(String uid, JsonNode patch, List<String> warnings) {
        return new AdmissionResponse(uid, true, patch, warnings, 0, null);
    }

    public static AdmissionResponse deny(String uid, int code, String message, List<String> warnings) {
        return new AdmissionResponse(uid, false, null, warnings, code, message);
    }

    /** Why a review could not be handled at all: in-band, code 400, never a stack trace. */
    public static AdmissionResponse invalid(String uid, String reason) {
        return new AdmissionResponse(uid, false, null, List.of(), 400, reason);
    }
}
