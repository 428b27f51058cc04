package dev.headstart.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.json.Json;
import dev.headstart.testing.Reviews;
import dev.headstart.testing.WebhookClient;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 3,000 malformed and hostile reviews (fixed seed, {@link HostileReviews}): every answer is a 4xx,
 * an in-band 400, or an allowed answer whose patch applies strictly to the object sent; never a
 * 5xx or a stack trace; and the server is healthy afterwards.
 *
 * <p>Timing: each request is timed on the client and the figures are printed (p50, p99, max, every
 * case over 100 ms), but only a hang fails the test (any answer over 10 s): speed targets live in
 * {@code make bench}, not in a unit test that shares two cores with the rest of the build.
 */
@QuarkusTest
class FuzzedReviewsTest {

    static final long SEED = 0x5EED_2026L;
    static final int CASES = 3_000;
    static final int WARM_UP = 50;

    @Test
    void hostileReviewsAreAnsweredCleanlyAndNeverHang() {
        WebhookClient client = new WebhookClient(WebhookClient.forTests().port(), HttpClient.Version.HTTP_1_1);
        HostileReviews generator = new HostileReviews(SEED);
        long[] millis = new long[CASES];
        boolean[] huge = new boolean[CASES];
        int rejected = 0;
        int inBand = 0;
        int allowed = 0;
        int patched = 0;
        List<String> slow = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            HostileReviews.Case c = generator.next();
            long start = System.nanoTime();
            HttpResponse<String> response = client.post("/mutate", c.body());
            millis[i] = (System.nanoTime() - start) / 1_000_000;
            huge[i] = c.body().length >= 64 * 1024;
            if (i >= WARM_UP && millis[i] > 100) {
                slow.add(c + ": " + millis[i] + " ms");
            }
            switch (checkAnswer(c, response)) {
                case REJECTED -> rejected++;
                case IN_BAND -> inBand++;
                case ALLOWED -> allowed++;
                case PATCHED -> {
                    allowed++;
                    patched++;
                }
            }
        }

        long[] timed = java.util.stream.IntStream.range(WARM_UP, CASES).filter(i -> !huge[i])
                .mapToLong(i -> millis[i]).sorted().toArray();
        long hugeMax = java.util.stream.IntStream.range(WARM_UP, CASES).filter(i -> huge[i])
                .mapToLong(i -> millis[i]).max().orElse(0);
        long p99 = timed[(int) Math.ceil(timed.length * 0.99) - 1];
        long max = timed[timed.length - 1];
        System.out.printf("fuzz: %d cases: %d HTTP 4xx, %d in-band 400, %d allowed (%d patched); p50 %d ms, p99 %d ms,"
                + " max %d ms (bodies under 64 KiB); max %d ms (huge bodies); over 100 ms: %s%n", CASES, rejected, inBand,
                allowed, patched, timed[timed.length / 2], p99, max, hugeMax, slow);
        // The generator must actually reach every kind of answer, or it tests less than it claims.
        assertThat(rejected).isGreaterThan(100);
        assertThat(inBand).isGreaterThan(50);
        assertThat(patched).isGreaterThan(50);
        assertThat(max).as("max ms; slow cases: %s", slow).isLessThanOrEqualTo(10_000);
        assertThat(hugeMax).as("max ms of huge bodies; slow cases: %s", slow).isLessThanOrEqualTo(10_000);

        // Healthy afterwards: a normal review is still patched, and readiness is UP.
        JsonNode answer = client.review("/mutate",
                Reviews.bytes(Reviews.review("CREATE", Reviews.object("objects/pod-needs-all.json"))));
        assertThat(Reviews.patchOf(answer)).isNotNull();
        int management = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("quarkus.management.test-port", Integer.class);
        io.restassured.RestAssured.given().baseUri("http://localhost").port(management)
                .get("/q/health/ready").then().statusCode(200);
    }

    enum Outcome { REJECTED, IN_BAND, ALLOWED, PATCHED }

    /** The answer is a 4xx, an in-band 400, or allowed with a patch that applies strictly to the object sent. */
    static Outcome checkAnswer(HostileReviews.Case c, HttpResponse<String> response) {
        int status = response.statusCode();
        assertThat(status).as("%s -> %s", c, response.body()).isBetween(200, 499);
        assertThat(response.body()).as("%s", c).doesNotContain("\tat ", ".java:", "Exception");
        if (status != 200) {
            return Outcome.REJECTED;
        }
        JsonNode answer = read(response.body(), c);
        JsonNode r = answer.path("response");
        assertThat(r.has("patch")).as("patch and patchType together: %s", c).isEqualTo(r.has("patchType"));
        if (!r.path("allowed").asBoolean()) {
            assertThat(r.at("/status/code").asInt()).as("case %s", c).isEqualTo(400);
            assertThat(r.at("/status/message").asText()).isNotBlank().doesNotContain("\n");
            return Outcome.IN_BAND;
        }
        JsonNode sent = read(c.body(), c);
        assertThat(r.path("uid").asText()).as("uid of %s", c).isEqualTo(sent.at("/request/uid").asText());
        JsonNode patch = Reviews.patchOf(answer);
        if (patch == null) {
            return Outcome.ALLOWED;
        }
        for (JsonNode op : patch) {
            assertThat(op.path("op").asText()).as("%s", c).isIn("add", "replace");
        }
        JsonNode mutated = Reviews.applyStrictly(patch, sent.at("/request/object"));
        assertThat(mutated.at("/metadata/annotations").path("headstart.dev/applied").asText()).isNotEmpty();
        return Outcome.PATCHED;
    }

    /** Not sampled but swept: every field of every seed review, in turn, replaced by each wrong type. */
    @Test
    void everyFieldWithEveryWrongTypeIsAnsweredCleanly() {
        WebhookClient client = new WebhookClient(WebhookClient.forTests().port(), HttpClient.Version.HTTP_1_1);
        List<HostileReviews.Case> cases = HostileReviews.everyFieldWrongTyped();
        java.util.EnumMap<Outcome, Integer> outcomes = new java.util.EnumMap<>(Outcome.class);
        for (HostileReviews.Case c : cases) {
            outcomes.merge(checkAnswer(c, client.post("/mutate", c.body())), 1, Integer::sum);
        }
        System.out.printf("wrong type in every field: %d cases: %s%n", cases.size(), outcomes);
        assertThat(cases.size()).isGreaterThan(500);
        assertThat(outcomes.keySet()).contains(Outcome.IN_BAND, Outcome.PATCHED);
    }

    private static JsonNode read(byte[] body, HostileReviews.Case c) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("the server accepted what the test cannot read: " + c, e);
        }
    }

    private static JsonNode read(String body, HostileReviews.Case c) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("not JSON for " + c + ": " + body, e);
        }
    }
}
