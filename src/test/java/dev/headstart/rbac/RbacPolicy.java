package dev.headstart.rbac;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The Roles, ClusterRoles and their bindings of a set of manifests, evaluated the way the API
 * server's RBAC authorizer does (kubernetes/kubernetes {@code plugin/pkg/auth/authorizer/rbac/rbac.go},
 * {@code pkg/registry/rbac/validation/rule.go}, {@code pkg/apis/rbac/v1/evaluation_helpers.go}):
 * a ClusterRoleBinding grants its ClusterRole's rules everywhere; a RoleBinding grants its Role's
 * (or a ClusterRole's) rules only in the binding's namespace, so never on cluster-scoped resources.
 * A rule allows a request when verb, API group and resource ({@code pods}, {@code pods/status},
 * {@code *}, {@code *}{@code /status}) match and, if it lists {@code resourceNames}, the request names one of them —
 * so a {@code create} (which names nothing yet) or an unnamed {@code list} never matches such a rule.
 */
public final class RbacPolicy {

    /** One rule of a role, as written. */
    public record Rule(List<String> apiGroups, List<String> resources, List<String> verbs, List<String> resourceNames,
            List<String> nonResourceURLs) {

        static Rule of(JsonNode node) {
            return new Rule(texts(node.path("apiGroups")), texts(node.path("resources")), texts(node.path("verbs")),
                    texts(node.path("resourceNames")), texts(node.path("nonResourceURLs")));
        }

        /** {@code RuleAllows}. */
        public boolean allows(ApiRequest request) {
            if (!request.isResourceRequest()) {
                return matches(verbs, request.verb()) && nonResourceURLs.stream().anyMatch(url -> url.equals("*")
                        || url.equals(request.nonResourcePath())
                        || url.endsWith("*") && request.nonResourcePath().startsWith(url.substring(0, url.length() - 1)));
            }
            return matches(verbs, request.verb()) && matches(apiGroups, request.group())
                    && resourceMatches(request) && (resourceNames.isEmpty() || resourceNames.contains(request.name()));
        }

        private boolean resourceMatches(ApiRequest request) {
            String combined = request.combinedResource();
            for (String r : resources) {
                if (r.equals("*") || r.equals(combined)) {
                    return true;
                }
                if (!request.subresource().isEmpty() && r.equals("*/" + request.subresource())) {
                    return true;
                }
            }
            return false;
        }

        private static boolean matches(List<String> allowed, String value) {
            return allowed.contains("*") || allowed.contains(value);
        }
    }

    /** A Role (namespace set) or ClusterRole (namespace empty). */
    public record Role(String kind, String namespace, String name, List<Rule> rules) {

        public String ref() {
            return kind + " " + (namespace.isEmpty() ? "" : namespace + "/") + name;
        }
    }

    /** Where a role's rules apply for one subject: everywhere (scope empty) or in one namespace. */
    public record Grant(Role role, String scope, String binding) {

        public boolean applies(ApiRequest request) {
            return scope.isEmpty() || (!request.clusterScoped() && scope.equals(request.namespace()));
        }

        public boolean allows(ApiRequest request) {
            return applies(request) && role.rules().stream().anyMatch(rule -> rule.allows(request));
        }
    }

    private final List<Role> roles = new ArrayList<>();
    private final List<JsonNode> bindings = new ArrayList<>();

    public RbacPolicy(List<JsonNode> objects) {
        for (JsonNode o : objects) {
            String kind = o.path("kind").asText();
            switch (kind) {
                case "Role", "ClusterRole" -> {
                    List<Rule> rules = new ArrayList<>();
                    o.path("rules").forEach(r -> rules.add(Rule.of(r)));
                    roles.add(new Role(kind, kind.equals("Role") ? o.path("metadata").path("namespace").asText("") : "",
                            o.path("metadata").path("name").asText(), rules));
                }
                case "RoleBinding", "ClusterRoleBinding" -> bindings.add(o);
                default -> {
                }
            }
        }
    }

    public List<Role> roles() {
        return List.copyOf(roles);
    }

    /** Every role bound to the ServiceAccount, with the namespace each binding limits it to. */
    public List<Grant> grantsTo(String saNamespace, String saName) {
        List<Grant> grants = new ArrayList<>();
        for (JsonNode b : bindings) {
            boolean cluster = b.path("kind").asText().equals("ClusterRoleBinding");
            String bindingNs = cluster ? "" : b.path("metadata").path("namespace").asText("");
            boolean bound = false;
            for (JsonNode s : b.path("subjects")) {
                bound |= appliesTo(s, bindingNs, saNamespace, saName);
            }
            if (!bound) {
                continue;
            }
            String refKind = b.path("roleRef").path("kind").asText();
            String refName = b.path("roleRef").path("name").asText();
            // A ClusterRoleBinding may only name a ClusterRole; a RoleBinding a Role in its namespace or a ClusterRole.
            String roleNs = refKind.equals("Role") && !cluster ? bindingNs : "";
            role(refKind, roleNs, refName).ifPresent(role -> grants.add(new Grant(role, bindingNs,
                    b.path("kind").asText() + " " + (bindingNs.isEmpty() ? "" : bindingNs + "/")
                            + b.path("metadata").path("name").asText())));
        }
        return grants;
    }

    private Optional<Role> role(String kind, String namespace, String name) {
        return roles.stream().filter(r -> r.kind().equals(kind) && r.namespace().equals(namespace) && r.name().equals(name))
                .findFirst();
    }

    /** {@code appliesToUser} for the user {@code system:serviceaccount:<ns>:<name>}. */
    private static boolean appliesTo(JsonNode subject, String bindingNs, String saNamespace, String saName) {
        String name = subject.path("name").asText();
        return switch (subject.path("kind").asText()) {
            case "ServiceAccount" -> {
                String ns = subject.path("namespace").asText("");
                yield name.equals(saName) && (ns.isEmpty() ? bindingNs : ns).equals(saNamespace);
            }
            case "User" -> name.equals("system:serviceaccount:" + saNamespace + ":" + saName);
            case "Group" -> Set.of("system:serviceaccounts", "system:serviceaccounts:" + saNamespace,
                    "system:authenticated").contains(name);
            default -> false;
        };
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }
}
