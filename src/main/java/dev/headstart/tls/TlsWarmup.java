package dev.headstart.tls;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.cert.CertificateFactory;

/**
 * Loads the JDK's certificate, key and TLS providers on a spare core while Quarkus starts on its
 * one thread; cold, they cost ~200 ms on the 2-core machine, and the server needs them to load
 * its certificate and build its TLS context.
 */
public final class TlsWarmup {

    private TlsWarmup() {
    }

    /** Call first thing in a server role, before Quarkus starts. */
    public static void begin() {
        Thread warm = new Thread(TlsWarmup::loadProviders, "headstart-tls-warmup");
        warm.setDaemon(true);
        warm.start();
    }

    private static void loadProviders() {
        try {
            CertificateFactory.getInstance("X.509");
            KeyFactory.getInstance("RSA");
            KeyFactory.getInstance("EC");
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, null, null);
            context.createSSLEngine();
        } catch (GeneralSecurityException | RuntimeException e) {
            // Only a head start: whatever failed here is done, and reported, on the real path.
        }
    }
}
