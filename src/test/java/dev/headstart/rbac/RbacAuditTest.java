package dev.headstart.rbac;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.headstart.cluster.Component;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The audit's verdicts and what its report tells whoever has to fix the manifests. */
class RbacAuditTest {

    private static final String ROLES = """
            kind: ClusterRole
            metadata: {name: headstart-controller}
            rules:
              - {apiGroups: [""], resources: [nodes], verbs: [list, watch, update]}
              - {apiGroups: [""], resources: [events], verbs: [create]}
            ---
            kind: ClusterRoleBinding
            metadata: {name: headstart-controller}
            roleRef: {kind: ClusterRole, name: headstart-controller}
            subjects: [{kind: ServiceAccount, name: headstart, namespace: hs}]
            """;

    private static RecordedRequest recorded(String agent, String method, String path) {
        return RecordedRequest.parse(new ObjectMapper().createObjectNode().put("userAgent", agent)
                .put("method", method).put("path", path).put("test", "dev.headstart.SomeTest"));
    }

    private static RbacAudit.Result audit(List<RecordedRequest> requests, Map<String, String> allowed) {
        RbacPolicy policy = new RbacPolicy(RbacPolicyTest.objects(ROLES));
        return RbacAudit.audit(Component.CONTROLLER, "hs/headstart", policy.grantsTo("hs", "headstart"), requests, allowed);
    }

    @Test
    void reportsMissingAndUnusedGrantsOfTheComponentOnly() {
        RbacAudit.Result result = audit(List.of(
                recorded("headstart-controller/test", "GET", "/api/v1/nodes"),
                recorded("headstart-controller/test", "GET", "/api/v1/nodes?watch=true"),
                recorded("headstart-controller/test", "DELETE", "/apis/scheduling.k8s.io/v1/priorityclasses/headroom"),
                recorded("headstart-controller/test", "DELETE", "/apis/scheduling.k8s.io/v1/priorityclasses/headroom"),
                recorded("headstart-controller/test", "GET", "/version"),
                recorded("headstart-webhook/test", "POST", "/api/v1/namespaces/shop/pods?dryRun=All"),
                recorded("fabric8-kubernetes-client/7.5.2", "POST", "/api/v1/nodes")), Map.of());

        assertThat(result.ok()).isFalse();
        assertThat(result.requests()).isEqualTo(5);
        assertThat(result.missing()).containsExactly(new RbacAudit.Missing(
                "delete scheduling.k8s.io/priorityclasses (cluster) name=headroom",
                "DELETE /apis/scheduling.k8s.io/v1/priorityclasses/headroom (SomeTest)", 2));
        assertThat(result.unused()).containsExactly("ClusterRole headstart-controller: core/events create",
                "ClusterRole headstart-controller: core/nodes update");
        assertThat(result.report())
                .contains("MISSING grants")
                .contains("- delete scheduling.k8s.io/priorityclasses (cluster) name=headroom   e.g. DELETE "
                        + "/apis/scheduling.k8s.io/v1/priorityclasses/headroom (SomeTest) and 1 more")
                .contains("- ClusterRole headstart-controller: core/nodes update");
    }

    @Test
    void anAllowListedGrantIsNotUnusedAndAStaleEntryIsReported() {
        RbacAudit.Result result = audit(List.of(
                recorded("headstart-controller/test", "GET", "/api/v1/nodes"),
                recorded("headstart-controller/test", "GET", "/api/v1/nodes?watch=true"),
                recorded("headstart-controller/test", "PUT", "/api/v1/nodes/n1")), Map.of(
                "ClusterRole headstart-controller: core/events create", "no test makes an event",
                "ClusterRole headstart-controller: core/events patch", "gone from the role",
                "Role hs/headstart-controller: core/configmaps get", "a Role that is gone",
                "ClusterRole headstart-webhook: core/pods get", "another component's: not judged here"));

        assertThat(result.missing()).isEmpty();
        assertThat(result.unused()).isEmpty();
        assertThat(result.staleAllowed()).containsExactly("ClusterRole headstart-controller: core/events patch",
                "Role hs/headstart-controller: core/configmaps get");
        assertThat(result.ok()).isFalse();
    }
}
