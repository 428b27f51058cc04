package dev.headstart.packaged;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.testing.Reviews;
import dev.headstart.testing.TlsProbe;
import dev.headstart.testing.WebhookClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar as a platform engineer runs it: its own main, configured by environment
 * variables only, TLS versions as a client sees them, and SIGTERM with the shipped shutdown delay.
 * Runs after {@code package} (failsafe), so in {@code ./mvnw verify} and CI.
 */
class PackagedServerIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final Path LOG = Path.of("target/packaged-server-it.log");

    private Process server;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null && server.isAlive()) {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void servesWhatTheEnvironmentNamesRefusesOldTlsAndDrainsOnSigterm() throws Exception {
        int https = freePort();
        int management = freePort();
        ProcessBuilder builder = new ProcessBuilder("java", "-Xmx128m", "-jar", JAR.toString())
                .redirectErrorStream(true).redirectOutput(LOG.toFile());
        builder.environment().put("HEADSTART_TLS_CERT", WebhookClient.TEST_CERTS.resolve("tls.crt").toString());
        builder.environment().put("HEADSTART_TLS_KEY", WebhookClient.TEST_CERTS.resolve("tls.key").toString());
        builder.environment().put("HEADSTART_CLUSTER_ENABLED", "false");
        builder.environment().put("QUARKUS_HTTP_SSL_PORT", Integer.toString(https));
        builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        builder.environment().put("QUARKUS_MANAGEMENT_PORT", Integer.toString(management));
        builder.environment().put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        server = builder.start();

        X509Certificate served = awaitTls(https, Duration.ofSeconds(60));
        assertThat(served).as("the certificate HEADSTART_TLS_CERT names").isEqualTo(certificate(WebhookClient.TEST_CERTS.resolve("tls.crt")));

        WebhookClient client = new WebhookClient(https);
        JsonNode answer = client.review("/mutate", Reviews.bytes(Reviews.review("CREATE", Reviews.object("objects/pod-needs-all.json"))));
        assertThat(answer.at("/response/patch").isMissingNode()).isFalse();

        assertThat(openssl(https, "-tls1_1")).as("TLS 1.1 refused by the server").contains("alert protocol version");
        assertThat(openssl(https, "-tls1_2")).contains("New, TLSv1.2, Cipher is");
        assertThat(openssl(https, "-tls1_3")).contains("New, TLSv1.3, Cipher is");

        // SIGTERM: readiness turns DOWN first, reviews are still answered during the delay, then exit.
        HttpClient plain = HttpClient.newHttpClient();
        URI ready = URI.create("http://127.0.0.1:" + management + "/q/health/ready");
        assertThat(plain.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        long sigterm = System.nanoTime();
        server.destroy();
        int status = 200;
        while (status == 200 && System.nanoTime() - sigterm < TimeUnit.SECONDS.toNanos(3)) {
            status = plain.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        }
        assertThat(status).as("readiness after SIGTERM").isEqualTo(503);
        assertThat(client.post("/mutate", Reviews.bytes(Reviews.review("CREATE", Reviews.object("objects/pod-needs-all.json")))).statusCode())
                .as("a review sent while readiness is DOWN, inside the shutdown delay").isEqualTo(200);
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("exited after the shutdown delay").isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm)).as("the delay was honoured").isGreaterThanOrEqualTo(2_500);
        assertThat(Files.readString(LOG)).doesNotContain("Exception").contains("stopped in");
    }

    private static X509Certificate awaitTls(int port, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return TlsProbe.servedCertificate("127.0.0.1", port);
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no TLS on " + port + " within " + timeout + "; log:\n" + Files.readString(LOG), e);
                }
                Thread.sleep(50);
            }
        }
    }

    private static X509Certificate certificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** What openssl's client reports when it offers only this TLS version (weak ciphers allowed, so the refusal is the server's). */
    private static String openssl(int port, String version) throws Exception {
        Process p = new ProcessBuilder(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, version,
                "-cipher", "DEFAULT:@SECLEVEL=0")).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
