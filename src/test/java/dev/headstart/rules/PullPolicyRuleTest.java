package dev.headstart.rules;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.headstart.rules.RuleTesting.workload;
import static org.assertj.core.api.Assertions.assertThat;

class PullPolicyRuleTest {

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource({
            // image, policy before (empty: none, as the CLI reads it), mode, policy after
            "app:1.2.3, Always, PINNED, IfNotPresent",
            "app:16.4, Always, PINNED, IfNotPresent",
            "eks/kube-proxy:v1.31.2-eksbuild.3, Always, PINNED, IfNotPresent",
            "app, Always, PINNED, Always",
            "app:latest, Always, PINNED, Always",
            "registry:5000/team/app, Always, PINNED, Always",
            "registry:5000/team/app:v2.1, Always, PINNED, IfNotPresent",
            "app@sha256:abc, Always, PINNED, IfNotPresent",
            "app:latest@sha256:abc, Always, PINNED, IfNotPresent",
            // Defect 3 of issue 10: Always on a moving tag is the owner's choice and stays.
            "app:main, Always, PINNED, Always",
            "app:stable, Always, PINNED, Always",
            "app:master, Always, PINNED, Always",
            "app:dev, Always, PINNED, Always",
            "app:edge, Always, PINNED, Always",
            "app:nightly, Always, PINNED, Always",
            "postgres:16, Always, PINNED, Always",
            "app:v2, Always, PINNED, Always",
            "app:1.2-SNAPSHOT, Always, PINNED, Always",
            "app:1.2.x, Always, PINNED, Always",
            "app:feature-login, Always, PINNED, Always",
            "app:1.2.3, Never, PINNED, Never",
            "app:main, IfNotPresent, PINNED, IfNotPresent",
            // No policy: the API server's default is what the webhook would see.
            "app:1.2.3, , PINNED, ",
            "app:main, , PINNED, ",
            "app, , PINNED, ",
            "app:latest, Always, ALL, IfNotPresent",
            "app:main, Always, ALL, IfNotPresent",
            "app, , ALL, IfNotPresent",
            "app:main, , ALL, ",
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
        assertThat(changed).isEqualTo(after != null && !after.equals(before));
        for (var c : w.allContainers()) {
            assertThat(c.path("imagePullPolicy").asText(null)).isEqualTo(after);
        }
        assertThat(applies && !rule.check(w).isEmpty()).isFalse();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "3.2.0, true", "16.4, true", "v1.31.2-eksbuild.3, true", "1.25.3-alpine, true", "2.4.1-debian-12-r3, true",
            "1.2.3_build.7, true", "1.0.0+meta, true",
            // commit ids: 7 to 64 hex digits with a digit, optionally prefixed
            "1a2b3c4, true", "sha-1a2b3c4d, true", "git-0123456789abcdef0123456789abcdef01234567, true",
            "v1.2-3-g1a2b3c4, true", "main-1a2b3c4d, true", "1234567, true",
            // dates
            "20240131, true", "nightly-2024-01-31, true", "2024.01.31, true", "build-20240131t1200z, true",
            // moving or not pinned
            "latest, false", "main, false", "master, false", "stable, false", "dev, false", "edge, false",
            "nightly, false", "canary, false", "16, false", "v2, false", "1.2-snapshot, false", "1.2-nightly, false",
            "stable-1.2, false", "1.2.x, false", "deadbee, false", "abc123, false", "alpine, false",
            "1.2.3.RELEASE, false", "latest-1.2, false",
    })
    void tagsThatLookImmutable(String tag, boolean immutable) {
        assertThat(ImageReference.immutableTag(tag)).isEqualTo(immutable);
    }

    @Test
    void imageReferenceTellsTagsFromRegistryPorts() {
        assertThat(ImageReference.parse("host:5000/app")).isEqualTo(new ImageReference(null, null));
        assertThat(ImageReference.parse("host:5000/app:1")).isEqualTo(new ImageReference("1", null));
        assertThat(ImageReference.parse("app@sha256:d")).isEqualTo(new ImageReference(null, "sha256:d"));
        assertThat(ImageReference.parse("")).isEqualTo(new ImageReference(null, null));
        assertThat(ImageReference.parse(null).immutable()).isFalse();
    }

    /** pkg/apis/core/v1/defaults.go SetDefaults_Container with the tag from pkg/util/parsers/parsers.go. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"app, Always", "app:latest, Always", "app:latest@sha256:abc, Always", "app@sha256:abc, IfNotPresent",
            "app:main, IfNotPresent", "host:5000/app, Always", "host:5000/app:1, IfNotPresent"})
    void apiServerDefaultPullPolicy(String image, String policy) {
        assertThat(ImageReference.parse(image).apiDefaultPullPolicy()).isEqualTo(policy);
    }
}
