package dev.headstart.rbac;

import dev.headstart.cluster.Component;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One component's RBAC against what its code asked of the API server: every recorded request
 * must be allowed by the roles bound to the component's ServiceAccount that belong to it (named
 * {@code headstart-<component>}: the webhook and the controller share one ServiceAccount, so the
 * role name is what says whose a grant is), and every grant of those roles must be used by some
 * request, or be on the allow-list with a reason.
 *
 * <p>Grants are compared one atom at a time: a rule {@code apiGroups [a] resources [r, s] verbs
 * [get, list]} is four grants, each needing its own request. Requests that name no resource
 * ({@code /version}, discovery) are allowed when the {@code system:discovery} /
 * {@code system:public-info-viewer} ClusterRoles every authenticated user is bound to allow them
 * (kubernetes/kubernetes {@code plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go}).
 */
public final class RbacAudit {

    /** {@code system:discovery} and {@code system:public-info-viewer}, bound to {@code system:authenticated}. */
    static final RbacPolicy.Rule DISCOVERY = new RbacPolicy.Rule(List.of(), List.of(), List.of("get"), List.of(),
            List.of("/livez", "/readyz", "/healthz", "/version", "/version/", "/openapi", "/openapi/*", "/api",
                    "/api/*", "/apis", "/apis/*"));

    /** One grant: one verb on one resource of one group (one name, if the rule lists names) from one role. */
    public record Atom(RbacPolicy.Grant grant, String group, String resource, String verb, String name) {

        boolean usedBy(ApiRequest request) {
            return grant.applies(request) && new RbacPolicy.Rule(List.of(group), List.of(resource), List.of(verb),
                    name.isEmpty() ? List.of() : List.of(name), List.of()).allows(request);
        }

        /** {@code ClusterRole headstart-controller: apps/replicasets list} — also the allow-list key. */
        public String key() {
            return grant.role().ref() + ": " + (group.isEmpty() ? "core" : group) + "/" + resource + " " + verb
                    + (name.isEmpty() ? "" : " name=" + name);
        }
    }

    /** A request no role of the component allows, with one example of where it was made. */
    public record Missing(String request, String example, int count) {
    }

    public record Result(Component component, String serviceAccount, List<String> roles, List<Missing> missing,
            List<String> unused, List<String> staleAllowed, int requests) {

        public boolean ok() {
            return missing.isEmpty() && unused.isEmpty() && staleAllowed.isEmpty();
        }

        /** What to change, per component, in words the lead can act on. */
        public String report() {
            StringBuilder out = new StringBuilder();
            out.append(component.product()).append(" (ServiceAccount ").append(serviceAccount).append(", ")
                    .append(requests).append(" requests recorded; roles: ").append(String.join(", ", roles)).append(")\n");
            if (!missing.isEmpty()) {
                out.append("  MISSING grants (the code makes these requests; add a rule to the component's role):\n");
                missing.forEach(m -> out.append("    - ").append(m.request()).append("   e.g. ").append(m.example())
                        .append(m.count() > 1 ? " and " + (m.count() - 1) + " more" : "").append('\n'));
            }
            if (!unused.isEmpty()) {
                out.append("  UNUSED grants (no recorded request needs them; remove, or allow-list with a reason):\n");
                unused.forEach(u -> out.append("    - ").append(u).append('\n'));
            }
            if (!staleAllowed.isEmpty()) {
                out.append("  ALLOW-LIST entries that match no grant any more (remove them):\n");
                staleAllowed.forEach(u -> out.append("    - ").append(u).append('\n'));
            }
            return out.toString();
        }
    }

    private RbacAudit() {
    }

    /**
     * @param grants        the grants of this component's roles bound to its ServiceAccount
     * @param allowUnused   atom keys ({@link Atom#key()}) that no test can exercise, with the reason
     */
    public static Result audit(Component component, String serviceAccount, List<RbacPolicy.Grant> grants,
            List<RecordedRequest> recorded, Map<String, String> allowUnused) {
        List<ApiRequest> requests = new ArrayList<>();
        Map<String, List<RecordedRequest>> denied = new TreeMap<>();
        for (RecordedRequest r : recorded) {
            if (r.component().filter(component::equals).isEmpty()) {
                continue;
            }
            requests.add(r.request());
            boolean allowed = r.request().isResourceRequest()
                    ? grants.stream().anyMatch(g -> g.allows(r.request()))
                    : DISCOVERY.allows(r.request()) || grants.stream().anyMatch(g -> g.allows(r.request()));
            if (!allowed) {
                denied.computeIfAbsent(r.request().describe(), k -> new ArrayList<>()).add(r);
            }
        }
        List<Missing> missing = new ArrayList<>();
        denied.forEach((what, all) -> missing.add(new Missing(what, all.get(0).example(), all.size())));

        Set<String> unused = new TreeSet<>();
        Set<String> keys = new TreeSet<>();
        for (Atom atom : atoms(grants)) {
            keys.add(atom.key());
            if (requests.stream().noneMatch(atom::usedBy) && !allowUnused.containsKey(atom.key())) {
                unused.add(atom.key());
            }
        }
        List<String> stale = allowUnused.keySet().stream()
                .filter(k -> ownedBy(k, component) && !keys.contains(k)).sorted().toList();
        List<String> roles = grants.stream().map(g -> g.role().ref() + " via " + g.binding()).distinct().toList();
        return new Result(component, serviceAccount, roles, missing, List.copyOf(unused), stale, requests.size());
    }

    /** Whether an atom key names one of the component's roles ({@code Role ns/headstart-controller: ...}). */
    private static boolean ownedBy(String key, Component component) {
        int colon = key.indexOf(": ");
        String role = colon < 0 ? key : key.substring(0, colon);
        return role.endsWith(" " + component.product()) || role.endsWith("/" + component.product());
    }

    static List<Atom> atoms(List<RbacPolicy.Grant> grants) {
        Map<String, Atom> out = new LinkedHashMap<>();
        for (RbacPolicy.Grant grant : grants) {
            for (RbacPolicy.Rule rule : grant.role().rules()) {
                List<String> names = rule.resourceNames().isEmpty() ? List.of("") : rule.resourceNames();
                for (String group : rule.apiGroups()) {
                    for (String resource : rule.resources()) {
                        for (String verb : rule.verbs()) {
                            for (String name : names) {
                                Atom atom = new Atom(grant, group, resource, verb, name);
                                out.putIfAbsent(atom.key(), atom);
                            }
                        }
                    }
                }
            }
        }
        return List.copyOf(out.values());
    }
}
