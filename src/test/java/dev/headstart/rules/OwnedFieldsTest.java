package dev.headstart.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static dev.headstart.rules.RuleTesting.json;
import static org.assertj.core.api.Assertions.assertThat;

class OwnedFieldsTest {

    private static final ObjectNode OWNER = json("{'containers':[{'name':'web','image':'a:1','imagePullPolicy':'Always',"
            + "'readinessProbe':{'tcpSocket':{'port':80},'initialDelaySeconds':30}}]}");
    private static final ObjectNode HEADSTART = json("{'containers':[{'name':'web','image':'a:1','imagePullPolicy':'IfNotPresent',"
            + "'readinessProbe':{'tcpSocket':{'port':80},'initialDelaySeconds':0},"
            + "'startupProbe':{'tcpSocket':{'port':80},'timeoutSeconds':1,'periodSeconds':1}}],'priorityClassName':'headstart-high'}");

    @Test
    void stripPutsTheOwnersValuesBackByNameWhateverTheKeyOrderOrListPosition() {
        OwnedFields record = OwnedFields.between(OWNER, HEADSTART);
        assertThat(record.paths()).containsExactly("containers[web].imagePullPolicy",
                "containers[web].readinessProbe.initialDelaySeconds", "containers[web].startupProbe", "priorityClassName");
        // as the API server stores it: its own key order, another container in front
        ObjectNode stored = json("{'priorityClassName':'headstart-high','containers':[{'name':'side','image':'b:1'},"
                + "{'startupProbe':{'periodSeconds':1,'timeoutSeconds':1,'tcpSocket':{'port':80}},'name':'web','image':'a:1',"
                + "'imagePullPolicy':'IfNotPresent','readinessProbe':{'initialDelaySeconds':0,'tcpSocket':{'port':80}}}]}");
        record.strip(stored);
        assertThat(stored).isEqualTo(json("{'containers':[{'name':'side','image':'b:1'},{'name':'web','image':'a:1',"
                + "'imagePullPolicy':'Always','readinessProbe':{'initialDelaySeconds':30,'tcpSocket':{'port':80}}}]}"));
    }

    @Test
    void fieldsTheOwnerChangedSinceStayTheirs() {
        OwnedFields record = OwnedFields.between(OWNER, HEADSTART);
        ObjectNode edited = HEADSTART.deepCopy();
        ((ObjectNode) edited.at("/containers/0")).put("imagePullPolicy", "Never");
        ((ObjectNode) edited.at("/containers/0/startupProbe")).put("failureThreshold", 30);
        record.strip(edited);
        assertThat(edited.at("/containers/0/imagePullPolicy").asText()).isEqualTo("Never");
        assertThat(edited.at("/containers/0/startupProbe/failureThreshold").asInt()).isEqualTo(30);
        assertThat(edited.has("priorityClassName")).isFalse();
    }

    @Test
    void theRecordRoundTripsThroughItsAnnotation() {
        OwnedFields record = OwnedFields.between(OWNER, HEADSTART);
        ObjectNode metadata = json("{}");
        record.write(metadata);
        OwnedFields read = OwnedFields.read(metadata).orElseThrow();
        assertThat(read.paths()).isEqualTo(record.paths());
        ObjectNode a = HEADSTART.deepCopy();
        ObjectNode b = HEADSTART.deepCopy();
        record.strip(a);
        read.strip(b);
        assertThat(a).isEqualTo(b).isEqualTo(OWNER);
    }

    @Test
    void pathsParseAsWrittenAndRefuseMalformedOnes() {
        for (String path : new String[] {"containers[web].env[NODE_NAME]", "initContainers[headstart-api-wait]", "priority"}) {
            assertThat(FieldPath.parse(path).orElseThrow().toString()).isEqualTo(path);
        }
        for (String bad : new String[] {"", ".a", "a.", "a..b", "a[]", "a[x", "a[x]b"}) {
            assertThat(FieldPath.parse(bad)).as(bad).isEmpty();
        }
    }
}
