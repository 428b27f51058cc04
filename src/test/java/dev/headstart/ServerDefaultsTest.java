package dev.headstart;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.security.Security;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ServerDefaultsTest {

    private static final String RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

    /** The build sets some of these for the whole test JVM (pom.xml): put back what was there. */
    private final Map<String, String> saved = new HashMap<>();

    @BeforeEach
    void save() {
        for (String key : keys()) {
            String value = System.getProperty(key);
            if (value != null) {
                saved.put(key, value);
            }
            System.clearProperty(key);
        }
    }

    @AfterEach
    void restore() {
        for (String key : keys()) {
            System.clearProperty(key);
        }
        saved.forEach(System::setProperty);
    }

    private static Set<String> keys() {
        Set<String> keys = new HashSet<>(ServerDefaults.SYSTEM.keySet());
        keys.add(ServerDefaults.PKCS12_ITERATIONS);
        return keys;
    }

    @Test
    void serverRolesGetOneAllocatorNoRenegotiationAndACheapInMemoryKeyStore() {
        String securityBefore = Security.getProperty(ServerDefaults.PKCS12_ITERATIONS);
        ServerDefaults.apply();
        assertThat(System.getProperty(RENEGOTIATION)).isEqualTo("true");
        assertThat(System.getProperty("vertx.reuseNettyAllocators")).isEqualTo("true");
        assertThat(Security.getProperty(ServerDefaults.PKCS12_ITERATIONS)).isEqualTo(securityBefore == null ? "1" : securityBefore);
    }

    @Test
    void whatTheOperatorSetIsKept() {
        System.setProperty(RENEGOTIATION, "false");
        System.setProperty(ServerDefaults.PKCS12_ITERATIONS, "20000");
        String securityBefore = Security.getProperty(ServerDefaults.PKCS12_ITERATIONS);
        ServerDefaults.apply();
        assertThat(System.getProperty(RENEGOTIATION)).isEqualTo("false");
        assertThat(System.getProperty(ServerDefaults.PKCS12_ITERATIONS)).isEqualTo("20000");
        assertThat(Security.getProperty(ServerDefaults.PKCS12_ITERATIONS)).isEqualTo(securityBefore);
    }
}
