package dev.headstart.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.json.Json;
import io.fabric8.zjsonpatch.CompatibilityFlags;
import io.fabric8.zjsonpatch.JsonPatch;

import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.EnumSet;
import java.util.UUID;

/** Test fixtures: objects from src/test/resources, wrapped in AdmissionReviews, and strict patching. */
public final class Reviews {

    private Reviews() {
    }

    /** A JSON fixture from the test classpath, e.g. {@code objects/pod-needs-all.json}. */
    public static ObjectNode object(String resource) {
        try (InputStream in = Reviews.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            return (ObjectNode) Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode review(String apiVersion, String operation, JsonNode object) {
        ObjectNode review = Json.MAPPER.createObjectNode();
        review.put("apiVersion", apiVersion);
        review.put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", UUID.randomUUID().toString());
        String kind = object.path("kind").asText();
        String apiGroupVersion = object.path("apiVersion").asText();
        ObjectNode k = request.putObject("kind");
        k.put("group", apiGroupVersion.contains("/") ? apiGroupVersion.substring(0, apiGroupVersion.indexOf('/')) : "");
        k.put("version", apiGroupVersion.substring(apiGroupVersion.indexOf('/') + 1));
        k.put("kind", kind);
        request.put("operation", operation);
        request.put("namespace", object.path("metadata").path("namespace").asText("default"));
        request.put("name", object.path("metadata").path("name").asText(""));
        request.set("object", object);
        request.put("dryRun", false);
        return review;
    }

    public static ObjectNode review(String operation, JsonNode object) {
        return review("admission.k8s.io/v1", operation, object);
    }

    public static byte[] bytes(JsonNode node) {
        try {
            return Json.MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The response's patch decoded from base64, or null when there is none. */
    public static JsonNode patchOf(JsonNode answer) {
        JsonNode patch = answer.path("response").path("patch");
        if (patch.isMissingNode() || patch.isNull()) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(Base64.getDecoder().decode(patch.asText()));
        } catch (IOException e) {
            throw new AssertionError("patch is not base64 JSON", e);
        }
    }

    /** Applies a patch the way the API server does: strictly, failing on a path that is not there. */
    public static JsonNode applyStrictly(JsonNode patch, JsonNode target) {
        return JsonPatch.apply(patch, target, EnumSet.of(CompatibilityFlags.FORBID_REMOVE_MISSING_OBJECT));
    }

    /** The pod spec of objects/pod-needs-all.json in a controller of the given kind. */
    public static ObjectNode controller(String apiVersion, String kind) {
        ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
        ObjectNode object = pod.objectNode();
        object.put("apiVersion", apiVersion).put("kind", kind);
        object.putObject("metadata").put("name", "web").put("namespace", "shop");
        ObjectNode template = pod.objectNode();
        template.putObject("metadata").putObject("labels").put("app", "web");
        template.set("spec", pod.path("spec"));
        if (kind.equals("CronJob")) {
            object.putObject("spec").put("schedule", "* * * * *").putObject("jobTemplate").putObject("spec")
                    .set("template", template);
        } else {
            object.putObject("spec").set("template", template);
        }
        return object;
    }

}
