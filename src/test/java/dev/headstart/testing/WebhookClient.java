package dev.headstart.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.json.Json;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;

/**
 * Posts to the running test server over real HTTPS, trusting only the CA that certs/generate.sh
 * made for the build, with hostname verification on.
 */
public final class WebhookClient {

    public static final Path TEST_CERTS = Path.of("target/test-certs");

    private final HttpClient http;
    private final int port;

    public WebhookClient(int port) {
        this(port, HttpClient.Version.HTTP_2);
    }

    public WebhookClient(int port, HttpClient.Version version) {
        this(port, version, TEST_CERTS.resolve("ca.crt"));
    }

    public WebhookClient(int port, HttpClient.Version version, Path caPem) {
        this.port = port;
        this.http = HttpClient.newBuilder()
                .version(version)
                .sslContext(trusting(caPem))
                .connectTimeout(Duration.ofSeconds(30))
                .build();
    }

    /** The same server over HTTP/1.1, as some API server builds and load tools speak it. */
    public WebhookClient http11() {
        return new WebhookClient(port, HttpClient.Version.HTTP_1_1);
    }

    /** A client for the server of the running {@code @QuarkusTest} (random port, read after start). */
    public static WebhookClient forTests() {
        return new WebhookClient(org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("quarkus.http.test-ssl-port", Integer.class));
    }

    public HttpResponse<String> post(String path, byte[] body) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + path))
                            .timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("request to " + path + " failed: " + e, e);
        }
    }

    public HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + path))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("request to " + path + " failed: " + e, e);
        }
    }

    public int port() {
        return port;
    }

    /** Posts and returns the decoded AdmissionReview answer. */
    public JsonNode review(String path, byte[] body) {
        HttpResponse<String> response = post(path, body);
        if (response.statusCode() != 200) {
            throw new AssertionError("expected 200 from " + path + ", got " + response.statusCode() + ": " + response.body());
        }
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("answer is not JSON: " + response.body(), e);
        }
    }

    public static SSLContext trusting(Path caPem) {
        try (InputStream in = Files.newInputStream(caPem)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot trust " + caPem + ": " + e, e);
        }
    }
}
