package dev.headstart.admission;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.json.Json;

import java.io.IOException;

/**
 * Reads AdmissionReview requests ({@code admission.k8s.io/v1}, and {@code v1beta1} answered in
 * kind) and writes responses. Every malformed input becomes an {@link InvalidReviewException} with
 * a one-line reason; nothing here throws anything else for bad bytes.
 */
public final class AdmissionReviewCodec {

    public static final String V1 = "admission.k8s.io/v1";
    public static final String V1BETA1 = "admission.k8s.io/v1beta1";

    private AdmissionReviewCodec() {
    }

    public static AdmissionRequest decode(byte[] body) throws InvalidReviewException {
        return decode(body, 0, body == null ? 0 : body.length, Json.MAPPER);
    }

    /**
     * Decodes {@code length} bytes of {@code body} from {@code offset} with {@code mapper}, whose
     * read constraints bound what one review may cost: past them, an {@link OversizedReviewException}
     * carrying the uid when the bytes show one.
     */
    public static AdmissionRequest decode(byte[] body, int offset, int length, ObjectMapper mapper)
            throws InvalidReviewException {
        if (body == null || length == 0) {
            throw new InvalidReviewException("empty body: expected an AdmissionReview", null);
        }
        JsonNode review;
        try {
            review = mapper.readTree(body, offset, length);
        } catch (StreamConstraintsException e) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            if (message.contains("nesting depth")) {
                throw new InvalidReviewException("body nests deeper than " + Json.MAX_NESTING_DEPTH + " levels", null);
            }
            if (message.startsWith("Number value length")) {
                throw new InvalidReviewException("body holds a number too long to be one", null);
            }
            // Token count, document, string or name length: a budget of this server, not bad input.
            throw new OversizedReviewException(tooLarge(e), ReviewUid.find(body, offset, length));
        } catch (JacksonException e) {
            throw new InvalidReviewException(notJson(e), null);
        } catch (IOException e) {
            throw new InvalidReviewException("body could not be read", null);
        }
        if (review == null || !review.isObject()) {
            throw new InvalidReviewException("body is not a JSON object: expected an AdmissionReview", null);
        }
        JsonNode request = review.get("request");
        String uid = request != null && request.path("uid").isTextual() ? request.get("uid").asText() : null;
        String apiVersion = review.path("apiVersion").asText("");
        if (!V1.equals(apiVersion) && !V1BETA1.equals(apiVersion)) {
            throw new InvalidReviewException("apiVersion must be " + V1 + " or " + V1BETA1, uid);
        }
        if (!"AdmissionReview".equals(review.path("kind").asText())) {
            throw new InvalidReviewException("kind must be AdmissionReview", uid);
        }
        if (request == null || !request.isObject()) {
            throw new InvalidReviewException("missing request", uid);
        }
        if (uid == null || uid.isEmpty()) {
            throw new InvalidReviewException("missing request.uid", null);
        }
        JsonNode kind = request.path("kind");
        if (!kind.isObject() || !kind.path("kind").isTextual()) {
            throw new InvalidReviewException("missing request.kind", uid);
        }
        String operation = request.path("operation").asText("");
        if (operation.isEmpty()) {
            throw new InvalidReviewException("missing request.operation", uid);
        }
        JsonNode object = request.get("object");
        if (object != null && !object.isNull() && !object.isObject()) {
            throw new InvalidReviewException("request.object must be an object", uid);
        }
        return new AdmissionRequest(apiVersion, uid,
                kind.path("group").asText(""), kind.path("version").asText(""), kind.path("kind").asText(),
                request.path("subResource").asText(""), operation,
                request.path("namespace").asText(""), request.path("name").asText(""),
                request.path("dryRun").asBoolean(false),
                object == null || object.isNull() ? null : object,
                request.path("oldObject").isObject() ? request.get("oldObject") : null);
    }

    /** Which limit a body broke, by name and bound only: Jackson's message may quote the input. */
    private static String tooLarge(StreamConstraintsException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        int end = message.indexOf(" (");
        String limit = end > 0 ? message.substring(0, end) : message;
        // e.g. "Token count (20001) exceeds the maximum allowed (20000, from `StreamReadConstraints.getMaxTokenCount()`)"
        return "review too large to evaluate: " + limit.replaceAll("[^A-Za-z ]", "").trim().toLowerCase(java.util.Locale.ROOT)
                + " over this server's limit";
    }

    /**
     * Where the JSON breaks, never what is there: Jackson's messages quote the offending token
     * ("Unrecognized token 'hunter2'"), which may be an env value or Secret data, and this reason is
     * both logged and returned.
     */
    private static String notJson(JacksonException e) {
        String what = e instanceof JsonEOFException ? "body is truncated JSON" : "body is not valid JSON";
        JsonLocation at = e.getLocation();
        return at == null ? what : what + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    /** The response review, in the API version of the request (v1 when it could not be read). */
    public static byte[] encode(String apiVersion, AdmissionResponse response) {
        ObjectNode review = Json.MAPPER.createObjectNode();
        review.put("apiVersion", V1BETA1.equals(apiVersion) ? V1BETA1 : V1);
        review.put("kind", "AdmissionReview");
        ObjectNode out = review.putObject("response");
        out.put("uid", response.uid() == null ? "" : response.uid());
        out.put("allowed", response.allowed());
        if (response.patch() != null) {
            out.put("patchType", "JSONPatch");
            // A binary node is written as standard base64 (padded, no line feeds) straight into the
            // output: no intermediate string, no per-character escape checks.
            out.put("patch", writeBytes(response.patch()));
        }
        if (response.warnings() != null && !response.warnings().isEmpty()) {
            ArrayNode warnings = out.putArray("warnings");
            response.warnings().forEach(warnings::add);
        }
        if (response.code() != 0) {
            ObjectNode status = out.putObject("status");
            status.put("code", response.code());
            status.put("message", response.message());
            if (!response.allowed()) {
                status.put("status", "Failure");
                status.put("reason", response.code() == 400 ? "BadRequest" : "Forbidden");
            }
        }
        return writeBytes(review);
    }

    private static byte[] writeBytes(JsonNode node) {
        try {
            return Json.MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            // A tree we built ourselves always serialises.
            throw new IllegalStateException(e);
        }
    }
}
