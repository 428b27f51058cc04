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
     * System properties: pooled heap buffers for the JDK TLS engine and one Netty allocator for
     * Vert.x and Quarkus. Without them every TLS read and write takes a fresh 16 KiB buffer; with
     * them the full-mutation review costs ~12% less server CPU. Quarkus and Vert.x keep them
     * opt-in for Vert.x 4 (they become the default in Vert.x 5).
     */
    static final Map<String, String> SYSTEM = Map.of(
            "quarkus.http.server.ssl.jdk.bufferPooling", "true",
            "vertx.reuseNettyAllocators", "true");

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
