package dev.headstart.imagecache;

import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.headstart.imagecache.PlanFixtures.fieldTerm;
import static dev.headstart.imagecache.PlanFixtures.labels;
import static dev.headstart.imagecache.PlanFixtures.requirement;
import static dev.headstart.imagecache.PlanFixtures.term;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Required node affinity, as nodeaffinity.go and labels/selector.go match it. */
class NodeSelectorMatchTest {

    static final Map<String, String> NODE = labels("zone", "b", "gpu", "", "cores", "16", "name", "x");

    static Stream<Arguments> expressions() {
        return Stream.of(
                Arguments.of("In, value listed", requirement("zone", "In", "a", "b"), true),
                Arguments.of("In, other value", requirement("zone", "In", "a", "c"), false),
                Arguments.of("In, label missing", requirement("pool", "In", "a"), false),
                Arguments.of("In, empty value listed", requirement("gpu", "In", ""), true),
                Arguments.of("In without values does not parse", requirement("zone", "In"), false),
                Arguments.of("NotIn, other value", requirement("zone", "NotIn", "a"), true),
                Arguments.of("NotIn, value listed", requirement("zone", "NotIn", "a", "b"), false),
                Arguments.of("NotIn, label missing", requirement("pool", "NotIn", "a"), true),
                Arguments.of("NotIn without values does not parse", requirement("pool", "NotIn"), false),
                Arguments.of("Exists, label with empty value", requirement("gpu", "Exists"), true),
                Arguments.of("Exists, label missing", requirement("pool", "Exists"), false),
                Arguments.of("Exists with values does not parse", requirement("gpu", "Exists", "x"), false),
                Arguments.of("DoesNotExist, label missing", requirement("pool", "DoesNotExist"), true),
                Arguments.of("DoesNotExist, label present", requirement("zone", "DoesNotExist"), false),
                Arguments.of("Gt, greater", requirement("cores", "Gt", "8"), true),
                Arguments.of("Gt, equal", requirement("cores", "Gt", "16"), false),
                Arguments.of("Gt, label not an integer", requirement("zone", "Gt", "1"), false),
                Arguments.of("Gt, label missing", requirement("pool", "Gt", "1"), false),
                Arguments.of("Gt, value not an integer does not parse", requirement("cores", "Gt", "8x"), false),
                Arguments.of("Gt, two values do not parse", requirement("cores", "Gt", "1", "2"), false),
                Arguments.of("Lt, smaller", requirement("cores", "Lt", "32"), true),
                Arguments.of("Lt, greater", requirement("cores", "Lt", "4"), false),
                Arguments.of("Lt, negative", requirement("cores", "Lt", "-1"), false),
                Arguments.of("unknown operator", requirement("zone", "Equals", "b"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expressions")
    void expressionsMatchAsTheSchedulerDoes(String description, NodeSelectorRequirement requirement, boolean expected) {
        NodeFacts node = new NodeFacts("n1", NODE, List.of());
        assertEquals(expected, NodeSelectorMatch.matches(List.of(term(requirement)), node), description);
    }

    static Stream<Arguments> fields() {
        return Stream.of(
                Arguments.of("metadata.name In, this node", requirement("metadata.name", "In", "n1"), true),
                Arguments.of("metadata.name In, another node", requirement("metadata.name", "In", "n2"), false),
                Arguments.of("metadata.name NotIn, this node", requirement("metadata.name", "NotIn", "n1"), false),
                Arguments.of("metadata.name NotIn, another node", requirement("metadata.name", "NotIn", "n2"), true),
                Arguments.of("two values do not parse", requirement("metadata.name", "In", "n1", "n2"), false),
                Arguments.of("NotIn with two values does not parse", requirement("metadata.name", "NotIn", "n2", "n3"), false),
                Arguments.of("another field does not parse", requirement("metadata.namespace", "In", "n1"), false),
                Arguments.of("Exists on a field does not parse", requirement("metadata.name", "Exists"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fields")
    void matchFieldsKnowOnlyTheNodeName(String description, NodeSelectorRequirement requirement, boolean expected) {
        NodeFacts node = new NodeFacts("n1", NODE, List.of());
        assertEquals(expected, NodeSelectorMatch.matches(List.of(fieldTerm(requirement)), node), description);
    }

    @Test
    void termsAreOredAndTheirRequirementsAnded() {
        NodeFacts node = new NodeFacts("n1", NODE, List.of());
        NodeSelectorTerm zoneA = term(requirement("zone", "In", "a"));
        NodeSelectorTerm zoneBWithGpu = term(requirement("zone", "In", "b"), requirement("gpu", "Exists"));
        NodeSelectorTerm zoneBWithPool = term(requirement("zone", "In", "b"), requirement("pool", "Exists"));
        NodeSelectorTerm zoneBOnThisNode = new io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder(
                term(requirement("zone", "In", "b"))).addToMatchFields(requirement("metadata.name", "In", "n1")).build();
        NodeSelectorTerm zoneBOnAnotherNode = new io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder(
                term(requirement("zone", "In", "b"))).addToMatchFields(requirement("metadata.name", "In", "n2")).build();
        assertAll(
                () -> assertThat(NodeSelectorMatch.matches(List.of(zoneA, zoneBWithGpu), node)).as("second term").isTrue(),
                () -> assertThat(NodeSelectorMatch.matches(List.of(zoneA, zoneBWithPool), node)).as("neither").isFalse(),
                () -> assertThat(NodeSelectorMatch.matches(List.of(zoneBOnThisNode), node)).as("labels and fields").isTrue(),
                () -> assertThat(NodeSelectorMatch.matches(List.of(zoneBOnAnotherNode), node)).as("fields fail").isFalse());
    }

    @Test
    void emptyTermsMatchNothingAndAnEmptyListNoNode() {
        NodeFacts node = new NodeFacts("n1", NODE, List.of());
        NodeSelectorTerm empty = new NodeSelectorTerm();
        NodeSelectorTerm matching = term(requirement("zone", "In", "b"));
        NodeSelectorTerm broken = term(requirement("zone", "In"));
        assertAll(
                () -> assertThat(NodeSelectorMatch.matches(List.of(), node)).as("no terms").isFalse(),
                () -> assertThat(NodeSelectorMatch.matches(List.of(empty), node)).as("one empty term").isFalse(),
                () -> assertThat(NodeSelectorMatch.matches(List.of(empty, matching), node)).as("empty and matching").isTrue(),
                () -> assertThat(NodeSelectorMatch.matches(List.of(broken, matching), node)).as("broken and matching").isTrue());
    }
}
