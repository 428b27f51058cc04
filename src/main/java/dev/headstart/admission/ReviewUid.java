package dev.headstart.admission;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.headstart.json.Json;

import java.io.IOException;

/**
 * Finds {@code request.uid} in the bytes of a review without building a tree, so a review refused
 * for its size can still be answered in-band. Works on a prefix too: the API server writes
 * {@code request.uid} first, within the first few hundred bytes.
 */
final class ReviewUid {

    private ReviewUid() {
    }

    /** The uid, or null when these bytes do not show one before they end or break. */
    static String find(byte[] body, int offset, int length) {
        try (JsonParser parser = Json.MAPPER.getFactory().createParser(body, offset, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("request") && value == JsonToken.START_OBJECT) {
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String name = parser.currentName();
                        JsonToken token = parser.nextToken();
                        if (name.equals("uid")) {
                            return token == JsonToken.VALUE_STRING && !parser.getText().isEmpty() ? parser.getText() : null;
                        }
                        parser.skipChildren();
                    }
                    return null;
                }
                parser.skipChildren();
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
