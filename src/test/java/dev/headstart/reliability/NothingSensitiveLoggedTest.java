package dev.headstart.reliability;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.json.Json;
import dev.headstart.testing.LogFile;
import dev.headstart.testing.Reviews;
import dev.headstart.testing.WebhookClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Env values, annotation values and Secret data never reach the logs, even with dev.headstart at
 * DEBUG: reviews carrying unique markers (valid, rule-failing shapes, malformed around the markers)
 * are sent, and the log file the server wrote must not contain any of them.
 */
@QuarkusTest
@TestProfile(NothingSensitiveLoggedTest.DebugLogToFile.class)
class NothingSensitiveLoggedTest {

    static final Path LOG = Path.of("target/sensitive-log/headstart.log");

    public static class DebugLogToFile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return LogFile.writingTo(LOG, Map.of(
                    "quarkus.log.file.level", "ALL",
                    "quarkus.log.category.\"dev.headstart\".level", "DEBUG"));
        }
    }

    private static final String ENV = "MARKERenv7Q2";
    private static final String ANNOTATION = "MARKERannotX9";
    private static final String SECRET = "MARKERsecretK4";
    private static final String SECRET_B64 = Base64.getEncoder().encodeToString(SECRET.getBytes(StandardCharsets.UTF_8));
    private static final String BARE = "MARKERbareTokenZ1";

    @Test
    void markersNeverReachTheLog() throws Exception {
        WebhookClient client = WebhookClient.forTests();
        List<byte[]> bodies = new ArrayList<>();

        // A pod that every rule changes, with an env value and annotation values.
        ObjectNode pod = Reviews.object("objects/pod-needs-all.json");
        ObjectNode web = (ObjectNode) pod.at("/spec/containers/0");
        web.putArray("env").addObject().put("name", "PASSWORD").put("value", ENV);
        pod.with("metadata").with("annotations").put("example.com/token", ANNOTATION);
        bodies.add(Reviews.bytes(Reviews.review("CREATE", pod)));
        // The same values in shapes the rules must step around: odd skip lists, wrong types.
        ObjectNode odd = pod.deepCopy();
        odd.with("metadata").with("annotations").put("headstart.dev/skip", ANNOTATION + ",nope");
        odd.with("spec").put("priorityClassName", (String) null);
        ((ObjectNode) odd.at("/spec/containers/0")).put("readinessProbe", ENV);
        ((ObjectNode) odd.at("/spec/containers/1")).putObject("startupProbe").put("exec", ENV);
        bodies.add(Reviews.bytes(Reviews.review("CREATE", odd)));
        // kube-proxy with an env value, UPDATE of a DaemonSet.
        ObjectNode proxy = Reviews.object("objects/daemonset-kube-proxy.json");
        ((ObjectNode) proxy.at("/spec/template/spec/containers/0")).putArray("env").addObject()
                .put("name", "TOKEN").put("value", ENV);
        proxy.with("metadata").with("annotations").put("note", ANNOTATION);
        bodies.add(Reviews.bytes(Reviews.review("UPDATE", proxy)));
        // A Secret (passes through /mutate) with data and stringData.
        ObjectNode secret = (ObjectNode) Json.MAPPER.readTree("{\"apiVersion\":\"v1\",\"kind\":\"Secret\","
                + "\"metadata\":{\"name\":\"db\",\"namespace\":\"shop\",\"annotations\":{\"a\":\"" + ANNOTATION + "\"}},"
                + "\"data\":{\"password\":\"" + SECRET_B64 + "\"},\"stringData\":{\"token\":\"" + SECRET + "\"}}");
        bodies.add(Reviews.bytes(Reviews.review("CREATE", secret)));
        // Malformed: the markers as bare tokens, in truncated strings, in wrong places.
        String valid = new String(Reviews.bytes(Reviews.review("CREATE", pod)), StandardCharsets.UTF_8);
        for (String broken : new String[] {
                BARE,
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"object\":" + BARE + "}}",
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"object\":{\"x\":" + BARE + "}}}",
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"object\":{\"x\":\"" + SECRET,
                "{\"" + BARE + "\" " + BARE + "}",
                "{\"apiVersion\":\"" + ANNOTATION + "\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\"}}",
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"" + ANNOTATION + "\",\"request\":{\"uid\":\"u\"}}",
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"kind\":{\"kind\":\"Pod\"},\"operation\":\"CREATE\",\"object\":\"" + SECRET + "\"}}",
                valid.substring(0, valid.indexOf(ENV) + 5),
                valid.replace("\"" + ENV + "\"", ENV),
                valid.replace("\"" + ANNOTATION + "\"", "\"" + ANNOTATION + "\" " + ANNOTATION),
                valid + " " + BARE,
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"object\":{\"n\":1" + BARE + "}}}",
        }) {
            bodies.add(broken.getBytes(StandardCharsets.UTF_8));
        }

        for (byte[] body : bodies) {
            assertThat(client.post("/mutate", body).statusCode()).isBetween(200, 499);
        }
        // The capture is real: the DEBUG line for a malformed review is in the file (waited for: the
        // file handler may write after the answer went out).
        dev.headstart.testing.Eventually.eventually(java.time.Duration.ofSeconds(30),
                () -> assertThat(Files.readString(LOG)).contains("rejected malformed review"));
        // The last answer has been written; give the file handler a moment, then read everything.
        Thread.sleep(500);
        String log = Files.readString(LOG);
        for (String marker : new String[] {ENV, ANNOTATION, SECRET, SECRET_B64, BARE, "MARKER"}) {
            assertThat(log).as("log must not contain %s", marker).doesNotContain(marker);
        }
    }
}
