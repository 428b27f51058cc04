package dev.headstart.tls;

import dev.headstart.config.HeadstartConfig;
import dev.headstart.controller.DaemonScheduler;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reloads the serving certificate when its files change, and only then. The TLS registry's own
 * {@code reload-period} reloads on every tick whether or not anything changed, and each reload
 * briefly drops new connections in Vert.x (seen under load: an NPE in the channel initializer);
 * reloading only on a real rotation confines that to the rare moment a certificate is replaced.
 */
@Singleton
public class CertificateReloader {

    static final String TLS_CONFIGURATION = "webhook";
    private static final Logger LOG = Logger.getLogger(CertificateReloader.class);

    private final HeadstartConfig config;
    private final TlsConfigurationRegistry registry;
    private final Event<CertificateUpdatedEvent> updated;
    private ScheduledExecutorService scheduler;
    private RotationDetector detector;

    public CertificateReloader(HeadstartConfig config, TlsConfigurationRegistry registry,
            Event<CertificateUpdatedEvent> updated) {
        this.config = config;
        this.registry = registry;
        this.updated = updated;
    }

    void start(@Observes StartupEvent event) {
        if (config.isController()) {
            return; // the controller role serves no TLS
        }
        detector = new RotationDetector(fingerprint());
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
        try {
            if (!detector.observe(fingerprint())) {
                return;
            }
            TlsConfiguration tls = registry.get(TLS_CONFIGURATION).orElseThrow();
            if (tls.reload()) {
                updated.fire(new CertificateUpdatedEvent(TLS_CONFIGURATION, tls));
                LOG.infof("serving certificate reloaded from %s", config.tls().cert());
            } else {
                LOG.warnf("serving certificate in %s changed but could not be loaded; still serving the previous one",
                        config.tls().cert());
            }
        } catch (RuntimeException e) {
            LOG.warnf("serving certificate reload failed; still serving the previous one: %s", e.getClass().getName());
        }
    }

    /** SHA-256 over certificate and key; null while either cannot be read (mid-rotation, missing). */
    private String fingerprint() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(Files.readAllBytes(Path.of(config.tls().cert())));
            digest.update(Files.readAllBytes(Path.of(config.tls().key())));
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
