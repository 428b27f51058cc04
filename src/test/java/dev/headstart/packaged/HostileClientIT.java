package dev.headstart.packaged;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.json.Json;
import dev.headstart.testing.Reviews;
import dev.headstart.testing.TlsProbe;
import dev.headstart.testing.WebhookClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar with the image's JVM flags at a small heap ({@code -Xmx128m
 * -XX:+ExitOnOutOfMemoryError}) against one hostile client, row by row of issue 11's table. After
 * each attack the process is alive, readiness is UP, and reviews sent during the attack were
 * answered correctly. Only the idle timeout is shortened (10 s instead of 120 s) so the test waits
 * seconds, not minutes; the test's clients then drop pooled connections after 5 s, as the API
 * server (90 s) does before the shipped 120 s.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileClientIT {

    /** The jar under test; {@code -Dhostile.jar=…} points it at another build (e.g. the code before the limits). */
    private static final Path JAR = Path.of(System.getProperty("hostile.jar", "target/quarkus-app/quarkus-run.jar"));
    private static final Path LOG = Path.of("target/hostile-client-it.log");
    private static final byte[] POD = Reviews.bytes(Reviews.review("CREATE", Reviews.object("objects/pod-needs-all.json")));

    private static Process server;
    private static int https;
    private static int management;
    private static WebhookClient client;
    private static SSLSocketFactory tls;
    private static final ExecutorService POOL = Executors.newCachedThreadPool();

    static {
        System.setProperty("jdk.httpclient.keepalive.timeout", "5");
    }

    @BeforeAll
    static void start() throws Exception {
        https = freePort();
        management = freePort();
        ProcessBuilder builder = new ProcessBuilder("java", "-Xmx128m", "-XX:+ExitOnOutOfMemoryError", "-jar", JAR.toString())
                .redirectErrorStream(true).redirectOutput(LOG.toFile());
        builder.environment().put("HEADSTART_TLS_CERT", WebhookClient.TEST_CERTS.resolve("tls.crt").toString());
        builder.environment().put("HEADSTART_TLS_KEY", WebhookClient.TEST_CERTS.resolve("tls.key").toString());
        builder.environment().put("HEADSTART_CLUSTER_ENABLED", "false");
        builder.environment().put("QUARKUS_HTTP_SSL_PORT", Integer.toString(https));
        builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        builder.environment().put("QUARKUS_HTTP_IDLE_TIMEOUT", "10s");
        builder.environment().put("QUARKUS_MANAGEMENT_PORT", Integer.toString(management));
        builder.environment().put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        server = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            try {
                TlsProbe.servedCertificate("127.0.0.1", https);
                break;
            } catch (IOException e) {
                assertThat(server.isAlive()).as("server exited; log:\n%s", Files.readString(LOG)).isTrue();
                assertThat(System.nanoTime()).as("TLS within 90 s").isLessThan(deadline);
                Thread.sleep(100);
            }
        }
        client = new WebhookClient(https, HttpClient.Version.HTTP_1_1);
        tls = WebhookClient.trusting(WebhookClient.TEST_CERTS.resolve("ca.crt")).getSocketFactory();
        assertServing("after start");
    }

    @AfterAll
    static void stop() throws Exception {
        POOL.shutdownNow();
        if (server != null && server.isAlive()) {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @AfterEach
    void stillServing() throws Exception {
        assertServing("after the attack");
    }

    @Test
    @Order(1)
    void http2IsNotNegotiatedAndAPrefaceWithManyStreamsIsRefused() throws Exception {
        // kube-apiserver offers only http/1.1; a client offering only h2 gets no h2.
        try (SSLSocket socket = socket()) {
            SSLParameters params = socket.getSSLParameters();
            params.setApplicationProtocols(new String[] {"h2"});
            socket.setSSLParameters(params);
            socket.startHandshake();
            assertThat(socket.getApplicationProtocol()).as("ALPN").isNotEqualTo("h2");
        }
        // The h2 preface and 40,000 HEADERS frames for streams 1, 3, 5, ... on one connection.
        during(() -> {
            try (SSLSocket socket = socket()) {
                OutputStream out = socket.getOutputStream();
                out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});
                try {
                    for (int stream = 1; stream < 80_000; stream += 2) {
                        out.write(new byte[] {0, 0, 1, 1, 5, (byte) (stream >>> 24), (byte) (stream >>> 16),
                                (byte) (stream >>> 8), (byte) stream, (byte) 0x82});
                    }
                } catch (IOException closed) {
                    // The server answered the preface with 400 and closed: the rest is never read.
                }
                return statusLine(socket);
            }
        }, status -> assertThat(status).startsWith("HTTP/2.0 400"));
        // The JDK client asking for HTTP/2 falls back to HTTP/1.1 and is served.
        assertThat(new WebhookClient(https).review("/mutate", POD).at("/response/patch").isMissingNode()).isFalse();
    }

    @Test
    @Order(2)
    void expensiveTreesAreAnsweredInBandUnevaluated() throws Exception {
        List<byte[]> bodies = List.of(
                review("empty-objects", "{\"a\":[" + "{},".repeat(1_300_000) + "{}]}"),
                review("deep-arrays", "{\"a\":" + ("[".repeat(190) + "1" + "]".repeat(190) + ",").repeat(1)
                        .replaceAll(",$", "") + ",\"b\":[" + ("[".repeat(190) + "]".repeat(190) + ",").repeat(9_000) + "[]]}"),
                manyContainers(5_000));
        for (byte[] body : bodies) {
            assertThat(body.length).isLessThan(4 * 1024 * 1024);
        }
        List<Callable<HttpResponse<String>>> attacks = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            byte[] body = bodies.get(i % bodies.size());
            attacks.add(() -> post(body));
        }
        duringAll(attacks, response -> {
            assertThat(response.statusCode()).as(response.body()).isIn(200, 503);
            if (response.statusCode() == 200) {
                JsonNode answer = Json.MAPPER.readTree(response.body());
                assertThat(answer.at("/response/allowed").asBoolean()).isTrue();
                assertThat(answer.at("/response/uid").asText()).startsWith("attack-");
                assertThat(answer.at("/response/patch").isMissingNode()).isTrue();
                assertThat(answer.at("/response/warnings/0").asText()).contains("too large", "admitted unchanged");
            }
        });
    }

    @Test
    @Order(3)
    void fortyParallelFourMebibyteBodiesAreBoundedByTheBudget() throws Exception {
        ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
        ((ObjectNode) pod.with("metadata").with("annotations")).put("big", "x".repeat(3_900_000));
        byte[] large = Reviews.bytes(Reviews.review("CREATE", pod));
        byte[] garbage = new byte[4_000_000];
        java.util.Arrays.fill(garbage, (byte) '[');
        assertThat(large.length).isLessThan(4 * 1024 * 1024);
        List<Callable<HttpResponse<String>>> attacks = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] body = i % 2 == 0 ? large : garbage;
            attacks.add(() -> post(body));
        }
        duringAll(attacks, response -> {
            // Evaluated (the pod with a big annotation), refused as malformed, or busy with Retry-After.
            assertThat(response.statusCode()).as(response.body()).isIn(200, 400, 503);
            if (response.statusCode() == 503) {
                assertThat(response.headers().firstValue("Retry-After")).isPresent();
            }
        });
    }

    @Test
    @Order(4)
    void slowBodiesHoldNoWorkersAndAreCutAtTheMinimumRate() throws Exception {
        // 250 connections announce 20 KiB and send one byte a second.
        List<Callable<String>> attacks = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            attacks.add(() -> {
                try (SSLSocket socket = socket()) {
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 20480\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    long start = System.nanoTime();
                    socket.setSoTimeout(1_000);
                    InputStream in = socket.getInputStream();
                    while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30)) {
                        try {
                            out.write('{');
                            out.flush();
                            int first = in.read();
                            return (first < 0 ? "closed" : (char) first + statusLine(socket)) + " after "
                                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms";
                        } catch (java.net.SocketTimeoutException stillReading) {
                            // the server is still waiting for the body: one more byte
                        } catch (IOException cut) {
                            return "closed after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms";
                        }
                    }
                    return statusLine(socket) + " after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms";
                }
            });
        }
        // Reviews over 10 KiB (what used to need a worker thread) are answered meanwhile.
        ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
        ((ObjectNode) pod.with("metadata").with("annotations")).put("note", "y".repeat(30_000));
        byte[] bigReview = Reviews.bytes(Reviews.review("CREATE", pod));
        // Cut at 10 s + 20 KiB at 256 KiB/s (seconds later on a loaded machine), where it used to be
        // served for as long as the client kept sending: a 408, or the close while it was writing.
        double cutBefore = metric("headstart_http_refused_total\\{reason=\"too_slow\",?\\}");
        duringAll(attacks, status -> assertThat(status).matches("(HTTP/1.1 408 .*|closed) after [12][0-9]{4} ms"), bigReview);
        assertThat(metric("headstart_http_refused_total\\{reason=\"too_slow\",?\\}") - cutBefore)
                .as("the slow attackers were cut, and no legitimate review").isEqualTo(250);
    }

    @Test
    @Order(5)
    void idleHalfSentAndFloodingConnectionsAreClosedAndTheEstablishedOnesServed() throws Exception {
        HttpClient keptOpen = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(WebhookClient.trusting(WebhookClient.TEST_CERTS.resolve("ca.crt"))).build();
        assertThat(review(keptOpen, POD).at("/response/patch").isMissingNode()).isFalse();
        List<Socket> attack = new ArrayList<>();
        AtomicBoolean flooding = new AtomicBoolean(true);
        Future<Integer> busy = POOL.submit(() -> {
            int answered = 0;
            while (flooding.get()) {
                assertThat(review(keptOpen, POD).at("/response/patch").isMissingNode()).isFalse();
                answered++;
                Thread.sleep(500);
            }
            return answered;
        });
        try {
            // 12,000 TCP connections that never start TLS.
            for (int i = 0; i < 12_000; i++) {
                Socket socket = new Socket();
                socket.connect(new InetSocketAddress("127.0.0.1", https), 5_000);
                attack.add(socket);
            }
            // 1,050 TLS connections (over the 1,000 limit) idle, half-sent headers, unterminated chunked bodies.
            List<Future<SSLSocket>> opened = new ArrayList<>();
            ExecutorService handshakes = Executors.newFixedThreadPool(16);
            for (int i = 0; i < 1_050; i++) {
                int kind = i % 3;
                opened.add(handshakes.submit(() -> {
                    SSLSocket socket = socket();
                    socket.startHandshake();
                    OutputStream out = socket.getOutputStream();
                    if (kind == 1) {
                        out.write("POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Ty".getBytes(StandardCharsets.US_ASCII));
                    } else if (kind == 2) {
                        out.write(("POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                + "Transfer-Encoding: chunked\r\n\r\n10\r\n{\"apiVersion\":\"a").getBytes(StandardCharsets.US_ASCII));
                    }
                    out.flush();
                    return socket;
                }));
            }
            for (Future<SSLSocket> socket : opened) {
                try {
                    attack.add(socket.get(120, TimeUnit.SECONDS));
                } catch (java.util.concurrent.ExecutionException refused) {
                    // past max-connections the server closes new connections
                }
            }
            handshakes.shutdown();
            // The connection established before the flood was served all along.
            flooding.set(false);
            assertThat(busy.get(30, TimeUnit.SECONDS)).isPositive();
            assertThat(server.isAlive()).isTrue();
            // Idle timeout (10 s here, 120 s shipped), TLS handshake timeout (5 s), minimum body rate.
            // Looked at once they are all due, then again for a while: on a loaded host the last
            // handshakes and the server's timers can run seconds late (a fixed 12 s was 2 s of margin).
            Thread.sleep(12_000);
            List<Socket> open = new ArrayList<>(attack);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                open.removeIf(HostileClientIT::closedByServer);
                if (open.isEmpty() || System.nanoTime() > deadline) {
                    break;
                }
                Thread.sleep(500);
            }
            assertThat(open.size()).as("attack connections still open after the timeouts").isZero();
        } finally {
            flooding.set(false);
            for (Socket socket : attack) {
                socket.close();
            }
        }
    }

    @Test
    @Order(6)
    void clientRenegotiationAndWeakSuitesAreRefused() throws Exception {
        int refused = 0;
        for (int i = 0; i < 20; i++) {
            try (SSLSocket socket = socket()) {
                socket.setEnabledProtocols(new String[] {"TLSv1.2"});
                socket.startHandshake();
                try {
                    socket.startHandshake();
                    socket.getOutputStream().write("GET /q HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    if (socket.getInputStream().read() < 0) {
                        refused++;
                    }
                } catch (IOException e) {
                    refused++;
                }
            }
        }
        assertThat(refused).as("renegotiations refused of 20").isEqualTo(20);
        for (String suite : List.of("AES128-SHA", "AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA384")) {
            assertThat(openssl("-tls1_2", "-cipher", suite + ":@SECLEVEL=0")).as(suite).contains("Cipher is (NONE)");
        }
        for (String suite : List.of("ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305")) {
            assertThat(openssl("-tls1_2", "-cipher", suite)).as(suite).contains("Cipher is " + suite);
        }
        assertThat(openssl("-tls1_3")).contains("New, TLSv1.3, Cipher is");
    }

    @Test
    @Order(7)
    void protocolGarbageIsCountedAndLoggedAtABoundedRate() throws Exception {
        double before = protocolErrors();
        long linesBefore = logLines("refused a malformed request");
        during(() -> {
            for (int i = 0; i < 100; i++) {
                try (SSLSocket socket = socket()) {
                    socket.getOutputStream().write((i % 2 == 0 ? "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
                            : "POST /mutate HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
                            .getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    assertThat(statusLine(socket)).contains(" 400 ");
                }
            }
            return true;
        }, done -> assertThat(done).isTrue());
        assertThat(protocolErrors() - before).isGreaterThanOrEqualTo(100);
        assertThat(logLines("refused a malformed request") - linesBefore).as("log lines for 100 bad requests")
                .isLessThanOrEqualTo(2 * 5);
        assertThat(Files.readString(LOG)).doesNotContain("QuarkusErrorHandler", "OutOfMemoryError");
    }

    @Test
    @Order(8)
    void onlyJsonIsAnAdmissionReview() throws Exception {
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "application/yaml", "")) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://localhost:" + https + "/mutate"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(POD));
            if (!type.isEmpty()) {
                request.header("Content-Type", type);
            }
            assertThat(http().send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).as(type).isEqualTo(415);
        }
        HttpRequest charset = HttpRequest.newBuilder(URI.create("https://localhost:" + https + "/mutate"))
                .header("Content-Type", "application/json; charset=utf-8").POST(HttpRequest.BodyPublishers.ofByteArray(POD)).build();
        assertThat(http().send(charset, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    // --- helpers ---

    /** Runs the attack in the background; meanwhile reviews must be answered correctly; then checks each attack outcome. */
    private static <T> void during(Callable<T> attack, ThrowingConsumer<T> outcome) throws Exception {
        duringAll(List.of(attack), outcome);
    }

    private static <T> void duringAll(List<Callable<T>> attacks, ThrowingConsumer<T> outcome) throws Exception {
        duringAll(attacks, outcome, POD);
    }

    private static <T> void duringAll(List<Callable<T>> attacks, ThrowingConsumer<T> outcome, byte[] legitimate) throws Exception {
        List<Future<T>> running = new ArrayList<>();
        for (Callable<T> attack : attacks) {
            running.add(POOL.submit(attack));
        }
        AtomicBoolean done = new AtomicBoolean();
        int answered = 0;
        long slowest = 0;
        long start = System.nanoTime();
        while (!done.get() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60)) {
            long sent = System.nanoTime();
            // A fresh connection each, as a new API server connection would be (pooled connections are
            // the flood test's subject), written and read by hand: what arrives is the server's.
            String[] response = rawPost(legitimate);
            assertThat(response[0]).as("a review during the attack: %s", response[1]).isEqualTo("HTTP/1.1 200 OK");
            JsonNode answer = Json.MAPPER.readTree(response[1]);
            assertThat(answer.at("/response/patch").isMissingNode()).as(response[1]).isFalse();
            slowest = Math.max(slowest, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent));
            answered++;
            done.set(running.stream().allMatch(Future::isDone));
            Thread.sleep(50);
        }
        assertThat(answered).isPositive();
        // Printed, not asserted: the build machine is shared; BENCHMARKS.md has figures from a quiet one.
        System.out.printf("%d reviews answered during the attack, slowest %d ms%n", answered, slowest);
        for (Future<T> attack : running) {
            outcome.accept(attack.get(60, TimeUnit.SECONDS));
        }
    }

    @FunctionalInterface
    interface ThrowingConsumer<T> {
        void accept(T value) throws Exception;
    }

    private static void assertServing(String when) throws Exception {
        assertThat(server.isAlive()).as("process alive %s; log:\n%s", when, Files.readString(LOG)).isTrue();
        JsonNode answer = client.review("/mutate", POD);
        assertThat(answer.at("/response/patch").isMissingNode()).as(when).isFalse();
        HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + management + "/q/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).as("readiness %s", when).isEqualTo(200);
        assertThat(Files.readString(LOG)).doesNotContain("OutOfMemoryError");
    }

    private static HttpClient http() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(WebhookClient.trusting(WebhookClient.TEST_CERTS.resolve("ca.crt"))).build();
    }

    private static JsonNode review(HttpClient http, byte[] body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + https + "/mutate"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body());
    }

    /** A POST on a fresh connection each (a hostile client does not share). */
    private static HttpResponse<String> post(byte[] body) throws Exception {
        try {
            return http().send(HttpRequest.newBuilder(URI.create("https://localhost:" + https + "/mutate"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException closedEarly) {
            // Refused mid-body (busy): the server answered and closed while the client still wrote.
            return new ClosedResponse();
        }
    }

    /** What a client that saw its connection closed mid-send gets: counted as busy. */
    private static final class ClosedResponse implements HttpResponse<String> {
        @Override public int statusCode() { return 503; }
        @Override public HttpRequest request() { return null; }
        @Override public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
        @Override public java.net.http.HttpHeaders headers() {
            return java.net.http.HttpHeaders.of(java.util.Map.of("Retry-After", List.of("closed")), (a, b) -> true);
        }
        @Override public String body() { return "(connection closed while sending)"; }
        @Override public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return java.util.Optional.empty(); }
        @Override public URI uri() { return null; }
        @Override public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
    }

    private static byte[] review(String uid, String object) {
        return ("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"attack-" + uid
                + "\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"operation\":\"CREATE\",\"namespace\":\"a\","
                + "\"object\":" + object + "}}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] manyContainers(int count) {
        ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
        ArrayNode containers = (ArrayNode) pod.at("/spec/containers");
        JsonNode first = containers.get(0);
        containers.removeAll();
        for (int i = 0; i < count; i++) {
            ObjectNode container = first.deepCopy();
            container.put("name", "c" + i);
            containers.add(container);
        }
        ObjectNode review = Reviews.review("CREATE", pod);
        ((ObjectNode) review.get("request")).put("uid", "attack-containers");
        return Reviews.bytes(review);
    }

    private static SSLSocket socket() throws IOException {
        SSLSocket socket = (SSLSocket) tls.createSocket("localhost", https);
        socket.setSoTimeout(15_000);
        return socket;
    }

    /** One POST /mutate on a new TLS connection: the status line and the body (Content-Length framed). */
    private static String[] rawPost(byte[] body) throws IOException {
        try (SSLSocket socket = socket()) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
            String status = line(in);
            int length = 0;
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                if (header.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(header.substring(15).trim());
                }
            }
            byte[] answer = new byte[length];
            in.readFully(answer);
            return new String[] {status, new String(answer, StandardCharsets.UTF_8)};
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed by the server after \"" + line + "\"");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private static String statusLine(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\r' && c != '\n') {
                line.append((char) c);
            }
            return line.toString();
        } catch (IOException e) {
            return "(closed: " + e.getMessage() + ")";
        }
    }

    private static boolean closedByServer(Socket socket) {
        try {
            socket.setSoTimeout(200);
            InputStream in = socket.getInputStream();
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static double protocolErrors() throws Exception {
        return metric("headstart_http_protocol_errors_total");
    }

    /** A sample's value from /q/metrics ({@code name} is a regex over name and labels), 0 when absent. */
    private static double metric(String name) throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + management + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static long logLines(String text) throws IOException {
        return Files.readAllLines(LOG).stream().filter(line -> line.contains(text)).count();
    }

    private static String openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + https));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
