package dev.headstart.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.testing.Reviews;
import dev.headstart.testing.WebhookClient;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parallel reviews of distinct objects never mix answers: every answer carries its own request's
 * uid, and its patch, applied strictly to its own object, yields that object's mutation (the
 * startup probe copies that object's liveness handler; image and name stay that object's).
 */
@QuarkusTest
class ConcurrentReviewsTest {

    private static final int THREADS = 8;
    private static final int PER_THREAD = 500;

    @Test
    void parallelReviewsOfDistinctObjectsNeverMixAnswers() throws Exception {
        int port = WebhookClient.forTests().port();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                // Half the threads multiplex one HTTP/2 connection each, half use HTTP/1.1 connections.
                WebhookClient client = new WebhookClient(port,
                        t % 2 == 0 ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1);
                done.add(pool.submit(() -> {
                    for (int i = 0; i < PER_THREAD; i++) {
                        reviewAndCheck(client, thread, i);
                    }
                    return PER_THREAD;
                }));
            }
            int total = 0;
            for (Future<Integer> f : done) {
                total += f.get(10, TimeUnit.MINUTES);
            }
            assertThat(total).isEqualTo(THREADS * PER_THREAD);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void reviewAndCheck(WebhookClient client, int thread, int i) {
        String id = thread + "-" + i;
        ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
        pod.with("metadata").put("name", "web-" + id);
        ObjectNode web = (ObjectNode) pod.at("/spec/containers/0");
        String image = "registry.example.com/team-" + thread + "/app:" + i + ".0." + thread;
        web.put("image", image);
        // The startup probe copies the liveness handler: make it this object's own.
        web.putObject("livenessProbe").putObject("httpGet").put("path", "/ready-" + id).put("port", 8080);
        // Every other pod already has a class: its answer must not carry one.
        boolean hasClass = i % 2 == 1;
        if (hasClass) {
            pod.with("spec").put("priorityClassName", "own-" + id);
        }
        ObjectNode review = Reviews.review("CREATE", pod);
        String uid = review.at("/request/uid").asText();

        JsonNode answer = client.review("/mutate", Reviews.bytes(review));
        assertThat(answer.at("/response/uid").asText()).as("uid of review %s", id).isEqualTo(uid);
        assertThat(answer.at("/response/allowed").asBoolean()).isTrue();
        JsonNode patch = Reviews.patchOf(answer);
        assertThat(patch).as("patch of review %s", id).isNotNull();
        JsonNode mutated = Reviews.applyStrictly(patch, pod);

        assertThat(mutated.at("/metadata/name").asText()).isEqualTo("web-" + id);
        assertThat(mutated.at("/spec/containers/0/image").asText()).isEqualTo(image);
        assertThat(mutated.at("/spec/containers/0/startupProbe/httpGet/path").asText()).isEqualTo("/ready-" + id);
        assertThat(mutated.at("/spec/containers/0/imagePullPolicy").asText()).isEqualTo("IfNotPresent");
        assertThat(mutated.at("/spec/priorityClassName").asText()).isEqualTo(hasClass ? "own-" + id : "headstart-high");
        assertThat(mutated.at("/metadata/annotations").path("headstart.dev/applied").asText())
                .isEqualTo(hasClass ? "startup-probe,pull-policy" : "priority-class,startup-probe,pull-policy");
        // Nothing from another review: the patch mentions no other review's id.
        String patchText = patch.toString();
        assertThat(patchText).contains("/ready-" + id + "\"");
        assertThat(patchText.replace("/ready-" + id + "\"", "")).doesNotContain("/ready-");
    }
}
