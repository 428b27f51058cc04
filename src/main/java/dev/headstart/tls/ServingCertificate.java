package dev.headstart.tls;

import javax.net.ssl.X509ExtendedKeyManager;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;

/** A parsed certificate and key, ready to serve. */
record ServingCertificate(KeyStore keyStore, X509ExtendedKeyManager keyManager, X509Certificate leaf) {

    Instant notAfter() {
        return leaf.getNotAfter().toInstant();
    }
}
