package dev.headstart.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.json.Json;
import dev.headstart.testing.Reviews;
import dev.headstart.testing.WebhookClient;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input is answered at once with a 4xx or an in-band 400 and a one-line reason: never a 5xx,
 * a stack trace, or a hung connection; and the server keeps serving.
 */
@QuarkusTest
class MalformedReviewTest {

    private final WebhookClient client = WebhookClient.forTests();

    private HttpResponse<String> post(String body) {
        return client.post("/mutate", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertCleanRejection(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 499);
        assertThat(response.body()).doesNotContain("Exception", "\tat ", ".java:");
        if (response.statusCode() == 200) {
            JsonNode answer = read(response.body());
            assertThat(answer.at("/response/allowed").asBoolean(true)).isFalse();
            assertThat(answer.at("/response/status/code").asInt()).isEqualTo(400);
            assertThat(answer.at("/response/status/message").asText()).isNotBlank().doesNotContain("\n");
        }
    }

    private static JsonNode read(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (Exception e) {
            throw new AssertionError(body, e);
        }
    }

    @Test
    void garbageWithoutAUidIsAnHttp400WithAReason() {
        for (String body : new String[] {"", "not json", "{\"apiVersion\":", "[1,2]", "null", "42", "{}",
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}",
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{}}",
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":\"x\"}",
                "{\"a\":1} trailing"}) {
            HttpResponse<String> response = post(body);
            assertThat(response.statusCode()).as("body %s", body).isEqualTo(400);
            assertCleanRejection(response);
        }
    }

    @Test
    void wrongShapesWithAUidAreAnsweredInBand() {
        String[] requests = {
                "{\"uid\":\"u1\"}",
                "{\"uid\":\"u1\",\"kind\":\"Pod\",\"operation\":\"CREATE\"}",
                "{\"uid\":\"u1\",\"kind\":{\"kind\":\"Pod\"}}",
                "{\"uid\":\"u1\",\"kind\":{\"kind\":\"Pod\"},\"operation\":\"CREATE\",\"object\":[1]}",
                "{\"uid\":\"u1\",\"kind\":{\"kind\":\"Pod\"},\"operation\":\"CREATE\",\"object\":\"pod\"}",
        };
        for (String request : requests) {
            HttpResponse<String> response = post(
                    "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":" + request + "}");
            assertThat(response.statusCode()).as(request).isEqualTo(200);
            assertThat(read(response.body()).at("/response/uid").asText()).isEqualTo("u1");
            assertCleanRejection(response);
        }
        HttpResponse<String> wrongVersion = post("{\"apiVersion\":\"admission.k8s.io/v2\",\"kind\":\"AdmissionReview\","
                + "\"request\":{\"uid\":\"u2\"}}");
        assertCleanRejection(wrongVersion);
        assertThat(read(wrongVersion.body()).at("/response/status/message").asText()).contains("apiVersion");
    }

    @Test
    void oddButValidObjectsAreAllowed() {
        String[] specs = {"{\"containers\":null}", "{\"containers\":[null, 1, \"x\", {}]}", "{}", "null", "[]",
                "{\"containers\":[{\"name\":\"c\",\"readinessProbe\":null,\"image\":7}]}"};
        for (String spec : specs) {
            ObjectNode pod = (ObjectNode) read("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":" + spec + "}");
            JsonNode answer = client.review("/mutate", Reviews.bytes(Reviews.review("CREATE", pod)));
            assertThat(answer.at("/response/allowed").asBoolean()).as(spec).isTrue();
            JsonNode patch = Reviews.patchOf(answer);
            if (patch != null) {
                Reviews.applyStrictly(patch, pod);
            }
        }
    }

    @Test
    void tenThousandDeepNestingIsRejectedQuickly() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        long start = System.nanoTime();
        HttpResponse<String> response = post("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                + "\"request\":{\"uid\":\"u\",\"object\":" + deep + "}}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertCleanRejection(response);
        assertThat(read(response.body()).at("/response/status/message").asText()).contains("nests deeper");
        // "quickly": no pathological parse (a deep recursion takes minutes or overflows the stack). The
        // bound is generous: on a loaded 2-core CI host the TLS round trip alone can take seconds.
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(10_000);
    }

    @Test
    void oversizedBodiesAreRefusedFromTheirHeadersAlone() throws Exception {
        // Announce 5 MiB and send none of it: no uid arrives within the head's deadline, so 413.
        SSLSocketFactory factory = WebhookClient.trusting(WebhookClient.TEST_CERTS.resolve("ca.crt")).getSocketFactory();
        try (SSLSocket socket = (SSLSocket) factory.createSocket("localhost", client.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + (5 * 1024 * 1024) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertThat(statusLine).isEqualTo("HTTP/1.1 413 Request Entity Too Large");
        }
        // With the whole body sent (HTTP/1.1: the server speaks no h2), the server reads its first
        // 16 KiB, finds no uid, answers 413 and closes after dropping at most 256 KiB more: the client
        // sees the 413, or the close itself when it was still writing. Not a hang, not a 5xx.
        byte[] big = new byte[5 * 1024 * 1024];
        Arrays.fill(big, (byte) ' ');
        long start = System.nanoTime();
        try {
            assertThat(client.post("/mutate", big).statusCode()).isEqualTo(413);
        } catch (AssertionError refused) {
            assertThat(refused.getMessage()).containsAnyOf("Broken pipe", "Connection reset", "header parser received no bytes");
        }
        assertThat((System.nanoTime() - start) / 1_000_000).as("not a hang").isLessThan(10_000);
    }

    @Test
    void serverStillServesAfterAbuse() {
        post("{\"apiVersion\":");
        JsonNode answer = client.review("/mutate",
                Reviews.bytes(Reviews.review("CREATE", Reviews.object("objects/pod-needs-all.json"))));
        assertThat(answer.at("/response/allowed").asBoolean()).isTrue();
    }
}
