package dev.headstart.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** RBAC evaluated as the API server does: binding scope, resourceNames, subresources, subjects. */
class RbacPolicyTest {

    static final String POLICY = """
            kind: ClusterRole
            metadata: {name: cluster-wide}
            rules:
              - {apiGroups: [""], resources: [nodes], verbs: [get, list, watch]}
              - {apiGroups: [scheduling.k8s.io], resources: [priorityclasses], verbs: [create]}
              - {apiGroups: [scheduling.k8s.io], resources: [priorityclasses], resourceNames: [headroom], verbs: [delete, patch]}
              - {apiGroups: [""], resources: [pods/status], verbs: [patch]}
              - {apiGroups: [apps], resources: ["*/scale"], verbs: [update]}
            ---
            kind: ClusterRoleBinding
            metadata: {name: cluster-wide}
            roleRef: {kind: ClusterRole, name: cluster-wide}
            subjects: [{kind: ServiceAccount, name: app, namespace: hs}]
            ---
            kind: Role
            metadata: {name: local, namespace: hs}
            rules:
              - {apiGroups: [""], resources: [configmaps], resourceNames: [params], verbs: [get, list, watch]}
              - {apiGroups: [""], resources: [configmaps], verbs: [create]}
            ---
            kind: RoleBinding
            metadata: {name: local, namespace: hs}
            roleRef: {kind: Role, name: local}
            subjects: [{kind: ServiceAccount, name: app}]
            ---
            kind: ClusterRole
            metadata: {name: reader}
            rules:
              - {apiGroups: [""], resources: [secrets, namespaces], verbs: [get]}
            ---
            kind: RoleBinding
            metadata: {name: reader, namespace: shop}
            roleRef: {kind: ClusterRole, name: reader}
            subjects: [{kind: Group, name: "system:serviceaccounts:hs"}]
            ---
            kind: ClusterRoleBinding
            metadata: {name: someone-else}
            roleRef: {kind: ClusterRole, name: reader}
            subjects: [{kind: ServiceAccount, name: app, namespace: other}]
            """;

    static List<JsonNode> objects(String yaml) {
        try (var parser = new YAMLFactory().createParser(yaml)) {
            return new ObjectMapper().readValues(parser, JsonNode.class).readAll();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            GET    | /api/v1/nodes?watch=true                                        | true
            PATCH  | /api/v1/nodes/n1                                                | false
            POST   | /apis/scheduling.k8s.io/v1/priorityclasses                      | true
            DELETE | /apis/scheduling.k8s.io/v1/priorityclasses/headroom             | true
            DELETE | /apis/scheduling.k8s.io/v1/priorityclasses/other                | false
            GET    | /apis/scheduling.k8s.io/v1/priorityclasses/headroom             | false
            PATCH  | /api/v1/namespaces/shop/pods/p/status                           | true
            PATCH  | /api/v1/namespaces/shop/pods/p                                  | false
            PUT    | /apis/apps/v1/namespaces/shop/deployments/d/scale               | true
            PUT    | /apis/apps/v1/namespaces/shop/deployments/d                     | false
            GET    | /api/v1/namespaces/hs/configmaps/params                         | true
            GET    | /api/v1/namespaces/hs/configmaps?watch=true&fieldSelector=metadata.name%3Dparams | true
            GET    | /api/v1/namespaces/hs/configmaps                                | false
            GET    | /api/v1/namespaces/hs/configmaps/other                          | false
            POST   | /api/v1/namespaces/hs/configmaps                                | true
            POST   | /api/v1/namespaces/shop/configmaps                              | false
            GET    | /api/v1/namespaces/shop/secrets/s                               | true
            GET    | /api/v1/namespaces/hs/secrets/s                                 | false
            GET    | /api/v1/namespaces/shop                                         | true
            GET    | /api/v1/namespaces/hs                                           | false
            """)
    void allowsExactlyWhatTheBindingsGrant(String method, String path, boolean allowed) {
        RbacPolicy policy = new RbacPolicy(objects(POLICY));
        ApiRequest request = ApiRequest.parse(method, path);
        assertThat(policy.grantsTo("hs", "app").stream().anyMatch(g -> g.allows(request))).as(request.describe())
                .isEqualTo(allowed);
    }

    @ParameterizedTest
    @CsvSource({"hs, app, 3", "other, app, 1", "hs, nobody, 1", "shop, app, 0"})
    void grantsFollowTheSubjects(String namespace, String account, int grants) {
        assertThat(new RbacPolicy(objects(POLICY)).grantsTo(namespace, account)).hasSize(grants);
    }
}
