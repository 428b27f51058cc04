package dev.headstart.tls;

import dev.headstart.config.HeadstartConfig;
import io.quarkus.tls.runtime.KeyStoreAndKeyCertOptions;
import io.quarkus.tls.runtime.KeyStoreProvider;
import io.smallrye.common.annotation.Identifier;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.security.GeneralSecurityException;

/**
 * The key store of the {@code webhook} TLS configuration: the files named by
 * {@code headstart.tls.cert} and {@code headstart.tls.key}, served through a
 * {@link SwappableKeyManager} so {@link CertificateReloader} can rotate them without touching the
 * running server.
 */
@Singleton
@Identifier(WebhookKeyStore.TLS_CONFIGURATION)
public class WebhookKeyStore implements KeyStoreProvider {

    static final String TLS_CONFIGURATION = "webhook";

    private final HeadstartConfig config;
    private Vertx vertx;
    private SwappableKeyManager keyManager;
    private KeyStoreAndKeyCertOptions options;
    private volatile ServingCertificate served;
    private volatile String servedFingerprint;

    public WebhookKeyStore(HeadstartConfig config) {
        this.config = config;
    }

    /** Called by the TLS registry as the server starts; a missing or broken pair stops the start. */
    @Override
    public synchronized KeyStoreAndKeyCertOptions getKeyStore(Vertx vertx) {
        if (config.isController()) {
            return null; // the controller role serves no TLS and needs no certificate
        }
        if (options == null) {
            this.vertx = vertx;
            CertificateFiles files;
            try {
                files = CertificateFiles.read(config.tls().cert(), config.tls().key());
            } catch (IOException e) {
                throw new IllegalStateException("serving certificate " + config.tls().cert() + " or key "
                        + config.tls().key() + " cannot be read (" + e.getClass().getSimpleName()
                        + "); make them with `make certs` or set headstart.tls.cert / headstart.tls.key");
            }
            try {
                served = files.parse(vertx);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("serving certificate " + config.tls().cert() + " or key "
                        + config.tls().key() + " is not usable: " + e.getMessage());
            }
            servedFingerprint = files.fingerprint();
            keyManager = new SwappableKeyManager(served.keyManager());
            options = new KeyStoreAndKeyCertOptions(served.keyStore(), KeyCertOptions.wrap(keyManager));
        }
        return options;
    }

    /** Serves {@code files} to new connections from now on; the old pair stays when they do not parse. */
    synchronized ServingCertificate serve(CertificateFiles files) throws GeneralSecurityException {
        if (keyManager == null) {
            throw new IllegalStateException("the webhook TLS configuration has not been loaded");
        }
        ServingCertificate next = files.parse(vertx);
        keyManager.swap(next.keyManager());
        served = next;
        servedFingerprint = files.fingerprint();
        return next;
    }

    /** The fingerprint of the pair being served, null before the server loaded one. */
    String servedFingerprint() {
        return servedFingerprint;
    }

    /** The certificate being served, null before the server loaded one. */
    ServingCertificate served() {
        return served;
    }
}
