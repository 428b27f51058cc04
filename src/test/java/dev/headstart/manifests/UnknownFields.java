package dev.headstart.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.json.Json;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Fields the Kubernetes API would reject. Without an API server to validate against, the object
 * is read into the fabric8 model (generated from the Kubernetes OpenAPI schema), which keeps
 * anything it does not recognise, or whose type does not match, in additionalProperties: a
 * misspelt {@code reinvocationPolicy} or a string where a number belongs shows up there.
 */
final class UnknownFields {

    private static final String MODEL = "io.fabric8.kubernetes.api.model";

    private UnknownFields() {
    }

    /** Paths of unknown or mistyped fields; fails if the kind is not a built-in model type. */
    static List<String> in(JsonNode object) {
        Object typed;
        try {
            typed = Serialization.unmarshal(Json.MAPPER.writeValueAsString(object));
        } catch (Exception e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            return List.of(object.path("kind").asText() + " unreadable: " + cause.getMessage().lines().findFirst().orElse(""));
        }
        if (typed instanceof GenericKubernetesResource) {
            throw new AssertionError(object.path("apiVersion").asText() + " " + object.path("kind").asText()
                    + " is not a built-in kind");
        }
        List<String> found = new ArrayList<>();
        walk(typed, object.path("kind").asText(), found);
        return found;
    }

    private static void walk(Object value, String path, List<String> found) {
        if (value == null) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, found));
            return;
        }
        if (value instanceof Collection<?> list) {
            int i = 0;
            for (Object element : list) {
                walk(element, path + "[" + i++ + "]", found);
            }
            return;
        }
        if (!value.getClass().getName().startsWith(MODEL)) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getDeclaringClass().getName().startsWith(MODEL)) {
                continue;
            }
            String name = getter.getName();
            Object child;
            try {
                // The catch-all map; in CRD schemas the same name is a real field (JSONSchemaPropsOrBool).
                if (name.equals("getAdditionalProperties") && Map.class.isAssignableFrom(getter.getReturnType())) {
                    Map<?, ?> extra = (Map<?, ?>) getter.invoke(value);
                    if (extra != null && !extra.isEmpty()) {
                        found.add(path + ": " + extra.keySet());
                    }
                    continue;
                }
                if (!name.startsWith("get") || name.length() == 3) {
                    continue;
                }
                child = getter.invoke(value);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
            walk(child, path + "." + Character.toLowerCase(name.charAt(3)) + name.substring(4), found);
        }
    }
}
