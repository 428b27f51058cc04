package dev.headstart.testing;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * The Quarkus test profile of a webhook that reads the (mock) cluster and is otherwise configured as
 * shipped: {@code headstart.cluster.enabled=true}, nothing else.
 */
public class ClusterEnabled implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("headstart.cluster.enabled", "true");
    }
}
