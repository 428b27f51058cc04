package dev.headstart.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.json.Json;
import dev.headstart.rules.PriorityClassCatalog;
import dev.headstart.rules.PriorityClassSpec;
import dev.headstart.rules.RuleEngine;
import dev.headstart.rules.RuleSet;
import dev.headstart.rules.RuleSettings;
import io.fabric8.zjsonpatch.JsonPatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 19 at the edge: the handler reads {@code request.oldObject} of a DaemonSet UPDATE, so a
 * re-apply that reset a field Headstart changed gets it back exactly, and an UPDATE whose template
 * is the stored one gets no patch.
 */
class MutatingHandlerUpdateTest {

    private final RuleEngine engine = RuleSet.engine(RuleSettings.defaults(),
            PriorityClassCatalog.of("headstart-high", new PriorityClassSpec(1000000, "PreemptLowerPriority")));
    private final MutatingHandler handler = new MutatingHandler(engine, new AdmissionMetrics(new SimpleMeterRegistry()));

    private static ObjectNode daemonSet() throws Exception {
        return (ObjectNode) Json.MAPPER.readTree(("{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'name':'agent','namespace':'ops'},"
                + "'spec':{'selector':{'matchLabels':{'app':'agent'}},'template':{'metadata':{'labels':{'app':'agent'}},"
                + "'spec':{'containers':[{'name':'web','image':'agent:1.4.2',"
                + "'readinessProbe':{'tcpSocket':{'port':8080},'initialDelaySeconds':30,'periodSeconds':10,'timeoutSeconds':1,"
                + "'successThreshold':1,'failureThreshold':3}}]}}}}").replace('\'', '"'));
    }

    private AdmissionResponse review(String operation, JsonNode object, JsonNode oldObject) throws Exception {
        ObjectNode review = Json.MAPPER.createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", "u-1").put("operation", operation).put("namespace", "ops").put("name", "agent");
        request.putObject("kind").put("group", "apps").put("version", "v1").put("kind", "DaemonSet");
        request.set("object", object);
        if (oldObject != null) {
            request.set("oldObject", oldObject);
        }
        return handler.handle(AdmissionReviewCodec.decode(review.toString().getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aReapplyThatResetTheReadinessDelayGetsItBackAndNothingElse() throws Exception {
        ObjectNode manifest = daemonSet();
        AdmissionResponse created = review("CREATE", manifest, null);
        ObjectNode stored = (ObjectNode) JsonPatch.apply(created.patch(), manifest);
        assertThat(stored.at("/spec/template/spec/containers/0/readinessProbe/initialDelaySeconds").asInt()).isZero();

        // What a client-side re-apply sends: the owner's 30 back, everything Headstart added kept.
        ObjectNode reapplied = stored.deepCopy();
        ((ObjectNode) reapplied.at("/spec/template/spec/containers/0/readinessProbe")).put("initialDelaySeconds", 30);
        AdmissionResponse update = review("UPDATE", reapplied, stored);
        assertThat(update.patch()).hasSize(1);
        assertThat(JsonPatch.apply(update.patch(), reapplied)).isEqualTo(stored);

        // Without oldObject the same UPDATE cannot be told from an owner's edit (today's behaviour would keep 30).
        ObjectNode labelled = stored.deepCopy();
        ((ObjectNode) labelled.at("/metadata")).putObject("labels").put("team", "ops");
        assertThat(review("UPDATE", labelled, stored).patch()).as("a label rolls nothing").isNull();
    }
}
