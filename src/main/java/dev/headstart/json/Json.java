package dev.headstart.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one JSON mapper every part of Headstart shares. Its read limits are part of the webhook's
 * defence against hostile input: Kubernetes objects are never deeply nested, so a shallow depth
 * limit stops stack-exhaustion bodies long before they reach the recursive diff.
 */
public final class Json {

    /** Deeper than any real Kubernetes object (pods nest ~15 levels), far below stack danger. */
    public static final int MAX_NESTING_DEPTH = 200;

    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {
    }
}
