package dev.headstart.tls;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import jakarta.inject.Singleton;

/**
 * The HTTPS server's options Quarkus has no configuration key for.
 * <ul>
 * <li>Pooled heap buffers for the JDK TLS engine: without them every TLS read and write takes a
 * fresh 16 KiB buffer; with them the full-mutation review costs ~12% less server CPU
 * (BENCHMARKS.md). Quarkus reads the same switch only from the system property
 * {@code quarkus.http.server.ssl.jdk.bufferPooling} (HttpServerOptionsUtils), which its config
 * check then reports as an unrecognized key at every start; set here, it needs no property.</li>
 * <li>A TLS handshake must finish within {@link #HANDSHAKE_SECONDS} (Vert.x: 10 s): the API server's
 * takes milliseconds, a connection that never starts TLS holds a slot and buffers.</li>
 * </ul>
 */
@Singleton
public class HttpsServerOptions implements HttpServerOptionsCustomizer {

    static final long HANDSHAKE_SECONDS = 5;

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        pool(options);
        options.setSslHandshakeTimeout(HANDSHAKE_SECONDS).setSslHandshakeTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS);
    }

    static void pool(HttpServerOptions options) {
        if (options.getSslEngineOptions() == null) {
            options.setSslEngineOptions(new JdkSSLEngineOptions().setPooledHeapBuffers(true));
        } else if (options.getSslEngineOptions() instanceof JdkSSLEngineOptions jdk) {
            jdk.setPooledHeapBuffers(true);
        }
    }
}
