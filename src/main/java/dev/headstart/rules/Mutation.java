package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * The result of running the rules on one object.
 *
 * @param patch   RFC 6902 operations turning the received object into {@code mutated}; null when
 *                nothing changed
 * @param mutated the object after the rules; the received object itself when nothing changed
 * @param applied names of the rules that changed the object, in rule order
 * @param failed  names of the rules that threw; the object goes on without them (fail open)
 */
public record Mutation(JsonNode patch, ObjectNode mutated, List<String> applied, List<String> warnings,
        List<String> failed) {

    public boolean changed() {
        return patch != null;
    }
}
