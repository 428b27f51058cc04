package dev.headstart;

import java.security.Security;
import java.util.Map;

/**
 * JVM-wide settings the server roles default to before Quarkus starts. Each is measured on the
 * 2-core machine (BENCHMARKS.md), and each is left alone when the operator set it (for example
 * with {@code -D} in {@code JAVA_OPTS}).
 */
final class ServerDefaults {

    /**
     * System properties. One Netty allocator for Vert.x and Quarkus (opt-in for Vert.x 4, the
     * default in Vert.x 5; the TLS engine's pooled buffers are set by tls.HttpsServerOptions). And no
     * client-initiated TLS 1.2 renegotiation: nothing legitimate needs it, and each one costs the
     * server a full handshake (a CPU flood from one connection).
     */
    static final Map<String, String> SYSTEM = Map.of(
            "vertx.reuseNettyAllocators", "true",
            "jdk.tls.rejectClientInitiatedRenegotiation", "true");

    /**
     * Vert.x keeps the PEM pair in an in-memory PKCS#12 store under a fixed dummy password, so the
     * JDK's 10,000 PBKDF2 rounds protect nothing there and cost ~190 ms of start-up. Headstart
     * never writes a key store.
     */
    static final String PKCS12_ITERATIONS = "keystore.pkcs12.keyPbeIterationCount";

    private ServerDefaults() {
    }

    static void apply() {
        SYSTEM.forEach((key, value) -> {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        });
        if (System.getProperty(PKCS12_ITERATIONS) == null && Security.getProperty(PKCS12_ITERATIONS) == null) {
            Security.setProperty(PKCS12_ITERATIONS, "1");
        }
    }
}
