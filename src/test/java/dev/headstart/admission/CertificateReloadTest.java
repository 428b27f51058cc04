package dev.headstart.admission;

import dev.headstart.testing.Reviews;
import dev.headstart.testing.WebhookClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * cert-manager and Secret rotations rewrite the certificate files in place: new connections must
 * get the new certificate without a restart.
 */
@QuarkusTest
@TestProfile(CertificateReloadTest.RotatingCerts.class)
class CertificateReloadTest {

    /** Laid out like a Kubernetes Secret volume: files are links through {@code ..data}, swapped atomically. */
    static final Path DIR = Path.of("target/rotating-certs");

    public static class RotatingCerts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Files.createDirectories(DIR);
                Path first = DIR.resolve("..v1");
                Files.createDirectories(first);
                for (String f : new String[] {"ca.crt", "tls.crt", "tls.key"}) {
                    Files.copy(WebhookClient.TEST_CERTS.resolve(f), first.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                    Files.deleteIfExists(DIR.resolve(f));
                    Files.createSymbolicLink(DIR.resolve(f), Path.of("..data", f));
                }
                swapData(first);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return Map.of("headstart.tls.cert", DIR.resolve("tls.crt").toString(),
                    "headstart.tls.key", DIR.resolve("tls.key").toString(),
                    "headstart.tls.check-interval", "500ms");
        }
    }

    /** Counts certificate updates the server applied. */
    @jakarta.inject.Singleton
    public static class Updates {
        final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();

        void on(@jakarta.enterprise.event.Observes io.quarkus.tls.CertificateUpdatedEvent event) {
            count.incrementAndGet();
        }
    }

    @jakarta.inject.Inject
    Updates updates;

    @Test
    void newConnectionsGetTheRotatedCertificateWithoutRestart() throws Exception {
        int port = WebhookClient.forTests().port();
        X509Certificate before = servedCertificate(port);
        Thread.sleep(2_000); // four looks at unchanged files
        assertThat(updates.count.get()).as("no reload while nothing changed").isZero();
        assertThat(before.getSubjectX500Principal().getName()).contains("headstart.headstart-system.svc");

        Path second = DIR.resolve("..v2");
        Process rotate = new ProcessBuilder("bash", "certs/generate.sh", second.toString(), "--force")
                .redirectErrorStream(true).start();
        assertThat(rotate.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(rotate.exitValue()).isZero();
        swapData(second);

        X509Certificate after = before;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (after.getSerialNumber().equals(before.getSerialNumber()) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            after = servedCertificate(port);
        }
        assertThat(after.getSerialNumber()).isNotEqualTo(before.getSerialNumber());
        Thread.sleep(1_500);
        assertThat(updates.count.get()).as("exactly one reload for one rotation").isEqualTo(1);
        // And the server answers reviews, verified against the new CA.
        var answer = new WebhookClient(port, java.net.http.HttpClient.Version.HTTP_2, DIR.resolve("ca.crt")).review("/mutate",
                Reviews.bytes(Reviews.review("CREATE", Reviews.object("objects/pod-needs-all.json"))));
        assertThat(answer.at("/response/allowed").asBoolean()).isTrue();
    }

    /** What the kubelet does on a Secret update: point {@code ..data} at the new folder in one rename. */
    static void swapData(Path target) throws Exception {
        Path link = DIR.resolve("..data_tmp");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, target.getFileName());
        Files.move(link, DIR.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The certificate a fresh TLS connection is served (no validation: we only read it). */
    static X509Certificate servedCertificate(int port) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", port)) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }
}
