package dev.headstart.rbac;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the API server's authorizer sees of one HTTP request: the attributes kube-apiserver's
 * {@code RequestInfoFactory.NewRequestInfo} derives from method, path and query
 * (kubernetes/kubernetes {@code staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go}):
 * GET on a collection is {@code list}, or {@code watch} with {@code ?watch=true} (or the legacy
 * {@code /watch/} prefix); GET on a name is {@code get}; POST create, PUT update, PATCH patch,
 * DELETE on a name delete and on a collection deletecollection. A list or watch whose
 * {@code fieldSelector} pins {@code metadata.name} carries that name, so {@code resourceNames}
 * can grant it. {@code /api/v1/namespaces/x} is resource {@code namespaces}, name and namespace
 * {@code x}; {@code status} and {@code finalize} after a namespace are its subresources. A dry run
 * ({@code ?dryRun=All}) needs the same verb as the real request.
 *
 * @param nonResourcePath for a request that names no resource (discovery, {@code /version}), its path; else null
 */
public record ApiRequest(String verb, String group, String version, String namespace, String resource,
        String subresource, String name, boolean dryRun, String nonResourcePath) {

    private static final Set<String> API_PREFIXES = Set.of("api", "apis");
    private static final Set<String> GROUPLESS_PREFIXES = Set.of("api");
    private static final Set<String> SPECIAL_VERBS = Set.of("proxy", "watch");
    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

    public boolean isResourceRequest() {
        return nonResourcePath == null;
    }

    /** {@code pods} or {@code pods/status}: how RBAC rules name it. */
    public String combinedResource() {
        return subresource.isEmpty() ? resource : resource + "/" + subresource;
    }

    public boolean clusterScoped() {
        return namespace.isEmpty();
    }

    /** One line: {@code create scheduling.k8s.io/priorityclasses (cluster) name=x [dry-run]}. */
    public String describe() {
        if (!isResourceRequest()) {
            return verb + " " + nonResourcePath;
        }
        StringBuilder out = new StringBuilder(verb).append(' ')
                .append(group.isEmpty() ? "core" : group).append('/').append(combinedResource());
        out.append(clusterScoped() ? " (cluster)" : " in " + namespace);
        if (!name.isEmpty()) {
            out.append(" name=").append(name);
        }
        if (dryRun) {
            out.append(" [dry-run]");
        }
        return out.toString();
    }

    /** Parses a request as the API server would; {@code pathAndQuery} is the raw request target. */
    public static ApiRequest parse(String method, String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        Map<String, List<String>> query = query(q < 0 ? "" : pathAndQuery.substring(q + 1));
        String httpVerb = method.toLowerCase(Locale.ROOT);
        List<String> parts = split(path);
        if (parts.size() < 3 || !API_PREFIXES.contains(parts.get(0))) {
            return nonResource(httpVerb, path);
        }
        String prefix = parts.get(0);
        parts = parts.subList(1, parts.size());
        String group = "";
        if (!GROUPLESS_PREFIXES.contains(prefix)) {
            if (parts.size() < 3) {
                return nonResource(httpVerb, path);
            }
            group = parts.get(0);
            parts = parts.subList(1, parts.size());
        }
        String version = parts.get(0);
        parts = parts.subList(1, parts.size());
        String verb;
        if (SPECIAL_VERBS.contains(parts.get(0))) {
            if (parts.size() < 2) {
                throw new IllegalArgumentException("no resource after /" + parts.get(0) + "/ in " + path);
            }
            verb = parts.get(0);
            parts = parts.subList(1, parts.size());
        } else {
            verb = switch (method.toUpperCase(Locale.ROOT)) {
                case "POST" -> "create";
                case "GET", "HEAD" -> "get";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> "delete";
                default -> "";
            };
        }
        String namespace = "";
        if (parts.get(0).equals("namespaces") && parts.size() > 1) {
            namespace = parts.get(1);
            if (parts.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(parts.get(2))) {
                parts = parts.subList(2, parts.size());
            }
        }
        String resource = parts.get(0);
        String name = parts.size() >= 2 ? parts.get(1) : "";
        String subresource = parts.size() >= 3 && !verb.equals("proxy") ? parts.get(2) : "";
        if (name.isEmpty() && verb.equals("get")) {
            verb = watch(query) ? "watch" : "list";
            name = nameFromFieldSelector(first(query, "fieldSelector")).orElse("");
        }
        if (name.isEmpty() && verb.equals("delete")) {
            verb = "deletecollection";
        }
        boolean dryRun = query.getOrDefault("dryRun", List.of()).stream().anyMatch(v -> !v.isEmpty());
        return new ApiRequest(verb, group, version, namespace, resource, subresource, name, dryRun, null);
    }

    private static ApiRequest nonResource(String httpVerb, String path) {
        return new ApiRequest(httpVerb, "", "", "", "", "", "", false, path.isEmpty() ? "/" : path);
    }

    private static boolean watch(Map<String, List<String>> query) {
        String value = first(query, "watch");
        return value != null && !value.equalsIgnoreCase("false") && !value.equals("0");
    }

    /**
     * {@code fields.Selector.RequiresExactMatch("metadata.name")}: a term {@code metadata.name=x} or
     * {@code ==x} among the comma-separated terms, kept only when it is a valid path segment name.
     */
    static Optional<String> nameFromFieldSelector(String selector) {
        if (selector == null || selector.isEmpty()) {
            return Optional.empty();
        }
        for (String term : selector.split(",")) {
            String t = term.trim();
            if (t.contains("!=")) {
                continue;
            }
            int eq = t.indexOf('=');
            if (eq < 0 || !t.substring(0, eq).trim().equals("metadata.name")) {
                continue;
            }
            String value = t.substring(t.startsWith("==", eq) ? eq + 2 : eq + 1).trim();
            boolean validSegment = !value.isEmpty() && !value.equals(".") && !value.equals("..")
                    && !value.contains("/") && !value.contains("%");
            return validSegment ? Optional.of(value) : Optional.empty();
        }
        return Optional.empty();
    }

    private static String first(Map<String, List<String>> query, String key) {
        List<String> values = query.get(key);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static List<String> split(String path) {
        String trimmed = path.replaceAll("^/+|/+$", "");
        return trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("/"));
    }
}
