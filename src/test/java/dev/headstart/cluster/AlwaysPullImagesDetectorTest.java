package dev.headstart.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.config.ConfigLoader;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.rules.PriorityClassCatalog;
import dev.headstart.rules.PriorityClassSpec;
import dev.headstart.rules.Rule;
import dev.headstart.rules.RuleEngine;
import dev.headstart.rules.RuleSet;
import dev.headstart.rules.RuleSettings;
import dev.headstart.rules.Workload;
import dev.headstart.testing.Reviews;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The AlwaysPullImages probe against the fabric8 mock server in expectations mode, which answers
 * the dry-run create the way an API server with the plugin does; and the pull-policy rule, gated
 * on it, then changes nothing.
 */
class AlwaysPullImagesDetectorTest {

    private static final String PROBE_PATH = "/api/v1/namespaces/headstart-system/pods?dryRun=All";

    private KubernetesMockServer server;
    private KubernetesClient client;
    private SimpleMeterRegistry registry;
    private AlwaysPullImagesDetector detector;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(false);
        server.init();
        client = server.createClient();
        registry = new SimpleMeterRegistry();
        HeadstartConfig config = ConfigLoader.load();
        detector = new AlwaysPullImagesDetector(config, new ClusterAccess(true, "test"), () -> client, registry);
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    private static Pod answered(String policy) {
        Pod pod = AlwaysPullImagesDetector.probePod("headstart-system", "registry.k8s.io/pause:3.10");
        pod.getSpec().getContainers().get(0).setImagePullPolicy(policy);
        return new PodBuilder(pod).editMetadata().withName("headstart-pull-policy-probe-x").endMetadata().build();
    }

    private double gauge() {
        return registry.get("headstart.always.pull.images").gauge().value();
    }

    private RuleEngine engine() {
        List<Rule> rules = dev.headstart.admission.RuleEngineProducer.gated(RuleSet.standard(RuleSettings.defaults(),
                PriorityClassCatalog.of("headstart-high", new PriorityClassSpec(1000000, null))), detector);
        return new RuleEngine(rules, Set.of());
    }

    @Test
    void beforeTheFirstProbeNothingIsKnownAndPullPolicyWaits() {
        assertThat(detector.decided()).isFalse();
        assertThat(detector.state()).isEqualTo(AlwaysPullImagesDetector.State.UNKNOWN);
        assertThat(detector.pullPolicyAllowed()).isFalse();
        assertThat(gauge()).isEqualTo(-1.0);
    }

    @Test
    void pluginOnSwitchesPullPolicyOffAndTheRuleChangesNothing() throws Exception {
        server.expect().post().withPath(PROBE_PATH).andReturn(201, answered("Always")).once();
        assertThat(detector.probe()).isEqualTo(AlwaysPullImagesDetector.State.PRESENT);
        assertThat(detector.decided()).isTrue();
        assertThat(gauge()).isEqualTo(1.0);

        JsonNode pod = Reviews.object("objects/pod-needs-all.json");
        var mutation = engine().mutate(Workload.of(pod.deepCopy()).orElseThrow());
        assertThat(mutation.applied()).doesNotContain("pull-policy").contains("priority-class");
        assertThat(mutation.patch().toString()).doesNotContain("imagePullPolicy");
        assertThat(engine().evaluate(Workload.of(pod).orElseThrow()))
                .noneMatch(r -> r.rule().name().equals("pull-policy"));

        // What was sent: a dry run of a pinned image with IfNotPresent, nothing stored.
        var request = server.getLastRequest();
        assertThat(request.getPath()).isEqualTo(PROBE_PATH);
        assertThat(request.getBody().readUtf8()).contains("\"imagePullPolicy\":\"IfNotPresent\"")
                .contains("\"image\":\"registry.k8s.io/pause:3.10\"");
    }

    @Test
    void pluginOffLetsPullPolicyRunAndARecheckSeesItSwitchedOn() {
        server.expect().post().withPath(PROBE_PATH).andReturn(201, answered("IfNotPresent")).once();
        assertThat(detector.probe()).isEqualTo(AlwaysPullImagesDetector.State.ABSENT);
        assertThat(gauge()).isZero();
        JsonNode pod = Reviews.object("objects/pod-needs-all.json");
        assertThat(engine().mutate(Workload.of(pod.deepCopy()).orElseThrow()).applied()).contains("pull-policy");

        server.expect().post().withPath(PROBE_PATH).andReturn(201, answered("Always")).once();
        assertThat(detector.probe()).isEqualTo(AlwaysPullImagesDetector.State.PRESENT);
        assertThat(engine().mutate(Workload.of(pod.deepCopy()).orElseThrow()).applied()).doesNotContain("pull-policy");
    }

    @Test
    void aProbeThatFailsLeavesPullPolicyOff() {
        server.expect().post().withPath(PROBE_PATH).andReturn(403, "{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                + "\"status\":\"Failure\",\"reason\":\"Forbidden\",\"code\":403,\"message\":\"pods is forbidden\"}").once();
        assertThat(detector.probe()).isEqualTo(AlwaysPullImagesDetector.State.UNKNOWN);
        assertThat(detector.decided()).isTrue();
        assertThat(detector.pullPolicyAllowed()).isFalse();
        assertThat(gauge()).isEqualTo(-1.0);
    }
}
