package dev.headstart.rules;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.headstart.rules.RuleTesting.workload;
import static org.assertj.core.api.Assertions.assertThat;

class PullPolicyRuleTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            // image, policy before, mode, policy after
            "app:1.2.3, Always, PINNED, IfNotPresent",
            "app, Always, PINNED, Always",
            "app:latest, Always, PINNED, Always",
            "registry:5000/team/app, Always, PINNED, Always",
            "registry:5000/team/app:v2, Always, PINNED, IfNotPresent",
            "app@sha256:abc, Always, PINNED, IfNotPresent",
            "app:latest@sha256:abc, Always, PINNED, IfNotPresent",
            "app:1.2.3, Never, PINNED, Never",
            "app:1.2.3, , PINNED, IfNotPresent",
            "app:latest, Always, ALL, IfNotPresent",
            "app, , ALL, IfNotPresent",
            "app:1.2.3, Always, OFF, Always",
    })
    void setsIfNotPresentAccordingToMode(String image, String before, PullPolicyMode mode, String after) {
        String policy = before == null ? "" : ",'imagePullPolicy':'" + before + "'";
        Workload w = workload("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},'spec':{"
                + "'initContainers':[{'name':'i','image':'" + image + "'" + policy + "}],"
                + "'containers':[{'name':'c','image':'" + image + "'" + policy + "}]}}");
        PullPolicyRule rule = new PullPolicyRule(mode);
        boolean applies = rule.appliesTo(w);
        boolean changed = applies && rule.mutate(w, new Warnings());
        String expected = after.equals(before) ? before : after;
        assertThat(changed).isEqualTo(!after.equals(before == null ? "" : before));
        for (var c : w.allContainers()) {
            assertThat(c.path("imagePullPolicy").asText(null)).isEqualTo(expected);
        }
        assertThat(applies && !rule.check(w).isEmpty()).isFalse();
    }

    @Test
    void imageReferenceTellsTagsFromRegistryPorts() {
        assertThat(ImageReference.parse("host:5000/app")).isEqualTo(new ImageReference(null, null));
        assertThat(ImageReference.parse("host:5000/app:1")).isEqualTo(new ImageReference("1", null));
        assertThat(ImageReference.parse("app@sha256:d")).isEqualTo(new ImageReference(null, "sha256:d"));
        assertThat(ImageReference.parse("")).isEqualTo(new ImageReference(null, null));
        assertThat(ImageReference.parse(null).pinned()).isFalse();
    }
}
