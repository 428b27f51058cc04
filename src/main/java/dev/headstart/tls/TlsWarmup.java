package dev.headstart.tls;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Security;
import java.security.cert.CertificateFactory;

/**
 * Takes TLS set-up cost off the start of the server, which runs on one thread (measured on the
 * 2-core machine: the serving pair's key store took ~240 ms, the JDK's providers ~200 ms more).
 */
public final class TlsWarmup {

    static final String PKCS12_ITERATIONS = "keystore.pkcs12.keyPbeIterationCount";

    private TlsWarmup() {
    }

    /** Call first thing in a server role, before Quarkus starts. */
    public static void begin() {
        // Vert.x keeps a PEM pair in an in-memory PKCS#12 store under a fixed dummy password;
        // 10,000 PBKDF2 rounds (the JDK default) there protect nothing and cost ~190 ms cold.
        // Headstart never writes a key store; an explicit setting is left alone.
        if (System.getProperty(PKCS12_ITERATIONS) == null && Security.getProperty(PKCS12_ITERATIONS) == null) {
            Security.setProperty(PKCS12_ITERATIONS, "1");
        }
        Thread warm = new Thread(TlsWarmup::loadProviders, "headstart-tls-warmup");
        warm.setDaemon(true);
        warm.start();
    }

    /** Loads the certificate, key and TLS providers on a spare core while Quarkus starts. */
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
