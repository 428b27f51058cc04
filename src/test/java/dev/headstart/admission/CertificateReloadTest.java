package dev.headstart.admission;

import dev.headstart.testing.DevCertificates;
import dev.headstart.testing.Reviews;
import dev.headstart.testing.TlsProbe;
import dev.headstart.testing.WebhookClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.headstart.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * cert-manager and Secret rotations rewrite the certificate files in place: new connections must
 * get the new certificate without a restart, and no handshake may fail while it happens.
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
                    "headstart.tls.check-interval", "200ms");
        }
    }

    @Inject
    MeterRegistry metrics;

    @Test
    void rotationsReachNewConnectionsWithoutAFailedHandshake() throws Exception {
        int port = WebhookClient.forTests().port();
        X509Certificate first = TlsProbe.servedCertificate("localhost", port);
        assertThat(first.getSubjectX500Principal().getName()).contains("headstart.headstart-system.svc");
        assertThat(expiry()).isEqualTo(first.getNotAfter().toInstant().getEpochSecond());
        Thread.sleep(1_000); // five looks at unchanged files
        assertThat(reloads("loaded")).as("no reload while nothing changed").isZero();

        Handshakes handshakes = new Handshakes(port, 3);
        try {
            // A pair that does not parse is refused; the previous certificate stays.
            Path broken = DIR.resolve("..broken");
            Files.createDirectories(broken);
            Files.copy(DIR.resolve("..v1/ca.crt"), broken.resolve("ca.crt"), StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(broken.resolve("tls.crt"), "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n");
            Files.copy(DIR.resolve("..v1/tls.key"), broken.resolve("tls.key"), StandardCopyOption.REPLACE_EXISTING);
            swapData(broken);
            awaitCount("rejected", 1);
            assertThat(TlsProbe.servedCertificate("localhost", port).getSerialNumber()).isEqualTo(first.getSerialNumber());

            X509Certificate second = rotateTo("..v2", port, first, handshakes);
            X509Certificate third = rotateTo("..v3", port, second, handshakes);
            awaitCount("loaded", 2);
            eventually(Duration.ofSeconds(30), () -> assertThat(expiry()).isEqualTo(third.getNotAfter().toInstant().getEpochSecond()));
            Thread.sleep(600);
            assertThat(reloads("loaded")).as("one reload per rotation").isEqualTo(2);
            // A loaded host makes fewer handshakes a second: the count is waited for, not assumed.
            eventually(Duration.ofSeconds(60), () -> assertThat(handshakes.completed.get()).isGreaterThan(30));
        } finally {
            handshakes.stop();
        }
        assertThat(handshakes.failures).as("handshakes that failed during rotations").isEmpty();
        assertThat(handshakes.serials).as("every certificate was served to someone").hasSizeGreaterThanOrEqualTo(3);
        assertThat(handshakes.completed.get()).as("handshakes made during the rotations").isGreaterThan(30);

        // And the server answers reviews, verified against the newest CA.
        var answer = new WebhookClient(port, HttpClient.Version.HTTP_2, DIR.resolve("ca.crt")).review("/mutate",
                Reviews.bytes(Reviews.review("CREATE", Reviews.object("objects/pod-needs-all.json"))));
        assertThat(answer.at("/response/allowed").asBoolean()).isTrue();
    }

    /** Makes a new CA and certificate in {@code folder}, swaps it in, waits until it is served. */
    private X509Certificate rotateTo(String folder, int port, X509Certificate before, Handshakes handshakes) throws Exception {
        Path next = DIR.resolve(folder);
        swapData(DevCertificates.generate(next));
        X509Certificate now = before;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (now.getSerialNumber().equals(before.getSerialNumber()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            now = TlsProbe.servedCertificate("localhost", port);
        }
        assertThat(now.getSerialNumber()).as("served after " + folder).isNotEqualTo(before.getSerialNumber());
        // ...and to the concurrent handshakes before the next rotation (a loaded host may be slower
        // than one check interval, which is all this certificate would otherwise be served for)
        BigInteger served = now.getSerialNumber();
        eventually(Duration.ofSeconds(30), () -> assertThat(handshakes.serials).contains(served));
        return now;
    }

    private void awaitCount(String outcome, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (reloads(outcome) < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(reloads(outcome)).as(outcome).isEqualTo(expected);
    }

    private double reloads(String outcome) {
        return metrics.counter("headstart.tls.certificate.reloads", "outcome", outcome).count();
    }

    private double expiry() {
        return metrics.get("headstart.tls.certificate.expiry.timestamp").gauge().value();
    }

    /** Threads that make fresh TLS connections back to back, recording what was served and what failed. */
    static final class Handshakes {
        final Set<BigInteger> serials = ConcurrentHashMap.newKeySet();
        final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        final AtomicInteger completed = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        Handshakes(int port, int count) {
            for (int i = 0; i < count; i++) {
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        try {
                            serials.add(TlsProbe.servedCertificate("localhost", port).getSerialNumber());
                            completed.incrementAndGet();
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                }, "handshakes-" + i);
                t.start();
                threads.add(t);
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(10_000);
            }
        }
    }

    /** What the kubelet does on a Secret update: point {@code ..data} at the new folder in one rename. */
    static void swapData(Path target) throws Exception {
        Path link = DIR.resolve("..data_tmp");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, target.getFileName());
        Files.move(link, DIR.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
