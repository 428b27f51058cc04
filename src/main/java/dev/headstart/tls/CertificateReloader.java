package dev.headstart.tls;

import dev.headstart.config.HeadstartConfig;
import dev.headstart.controller.DaemonScheduler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Rotates the serving certificate when its files change, and only then. Every
 * {@code headstart.tls.check-interval} the files are fingerprinted; a change is loaded once it has
 * settled (see {@link RotationDetector}) by swapping the key manager in {@link WebhookKeyStore}.
 *
 * <p>Neither the TLS registry's {@code reload-period} nor a {@code CertificateUpdatedEvent} is
 * used: both make Vert.x rebuild the server's SSL context, and while it does, new connections fail
 * in its channel initializer (an NPE, measured under load). A swapped key manager has no such
 * window.
 */
@Singleton
public class CertificateReloader {

    private static final Logger LOG = Logger.getLogger(CertificateReloader.class);

    private final HeadstartConfig config;
    private final WebhookKeyStore keyStore;
    private final Counter loaded;
    private final Counter rejected;
    private ScheduledExecutorService scheduler;
    private RotationDetector detector;

    public CertificateReloader(HeadstartConfig config,
            @Identifier(WebhookKeyStore.TLS_CONFIGURATION) WebhookKeyStore keyStore, MeterRegistry registry) {
        this.config = config;
        this.keyStore = keyStore;
        this.loaded = reloads(registry, "loaded");
        this.rejected = reloads(registry, "rejected");
        Gauge.builder("headstart.tls.certificate.expiry.timestamp", keyStore,
                        k -> k.served() == null ? Double.NaN : k.served().notAfter().getEpochSecond())
                .description("When the served webhook certificate expires (Unix time)")
                .baseUnit("seconds")
                .register(registry);
    }

    private static Counter reloads(MeterRegistry registry, String outcome) {
        return Counter.builder("headstart.tls.certificate.reloads")
                .description("Changed certificate files: loaded, or rejected and the previous pair kept")
                .tags("outcome", outcome)
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        if (config.isController()) {
            return; // the controller role serves no TLS
        }
        detector = new RotationDetector(keyStore.servedFingerprint());
        long every = config.tls().checkInterval().toMillis();
        scheduler = DaemonScheduler.named("headstart-certificate-reloader");
        scheduler.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    private void check() {
        CertificateFiles files = readOrNull();
        if (!detector.observe(files == null ? null : files.fingerprint())) {
            return;
        }
        try {
            ServingCertificate now = keyStore.serve(files);
            loaded.increment();
            LOG.infof("serving certificate reloaded from %s; valid until %s", config.tls().cert(), now.notAfter());
        } catch (GeneralSecurityException | RuntimeException e) {
            rejected.increment();
            LOG.warnf("serving certificate in %s changed but cannot be used (%s); still serving the previous one",
                    config.tls().cert(), e.getMessage());
        }
    }

    /** Both files, or null while either cannot be read (mid-rotation, missing). */
    private CertificateFiles readOrNull() {
        try {
            return CertificateFiles.read(config.tls().cert(), config.tls().key());
        } catch (IOException e) {
            return null;
        }
    }
}
