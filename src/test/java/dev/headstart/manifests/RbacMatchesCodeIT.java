package dev.headstart.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.cluster.Component;
import dev.headstart.rbac.RbacAudit;
import dev.headstart.rbac.RbacPolicy;
import dev.headstart.rbac.RecordedRequest;
import dev.headstart.testing.ApiRequestRecorder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The install's RBAC is exactly what the code needs: every API request the webhook and the
 * controller made against the mock API servers of the whole test suite (recorded by
 * {@code ApiRequestRecorder} during surefire, attributed by User-Agent) is allowed by that
 * component's roles in the rendered manifests (the kustomize install, and the Helm chart with its
 * default values, including its report purge hook's own ServiceAccount and ClusterRole), and every grant of those roles is used by some request or listed in
 * {@link #UNTESTED} with the reason no test can make it.
 *
 * <p>A failsafe IT so it runs after every surefire test of the build, in whatever order and forks
 * they ran. The full report is also written to {@code target/rbac-audit.txt}.
 */
class RbacMatchesCodeIT {

    /** Grants the code needs but no mock-server test can exercise, keyed as {@link RbacAudit.Atom#key()}. */
    static final Map<String, String> UNTESTED = Map.of();

    /** The container each component runs in. */
    private static String container(Component component) {
        return component == Component.WEBHOOK ? "webhook" : "controller";
    }

    @Test
    void everyRecordedRequestIsGrantedAndEveryGrantIsUsed() throws IOException {
        Path dir = ApiRequestRecorder.directory();
        List<RecordedRequest> recorded = RecordedRequest.readAll(dir);
        assertThat(recorded).as("no API requests recorded under " + dir + ": the surefire tests record them, "
                + "run `./mvnw verify`").isNotEmpty();

        StringBuilder report = new StringBuilder();
        List<String> problems = new ArrayList<>();
        // The kustomize install, and the Helm chart's rendering with default values (its RBAC is
        // manifests/base's, patched only in labels; this holds it so).
        ManifestSet kustomize = ManifestSet.rendered(ManifestSet.MANIFESTS).orElseGet(() -> ManifestSet.files(ManifestSet.MANIFESTS));
        ManifestSet chart = HelmChart.render(Map.of());
        for (ManifestSet set : List.of(kustomize, chart)) {
            problems.addAll(audit(set, recorded, report).stream().map(p -> set + ": " + p).toList());
        }
        // The chart's pre-delete hook runs `headstart reports purge` as its own account (make
        // undeploy runs kubectl with the operator's credentials instead, so kustomize has none).
        ManifestSet withHooks = new ManifestSet(chart + " with its hooks", java.util.stream.Stream.concat(chart.objects().stream(),
                HelmChart.hooks(Map.of()).objects().stream()).toList());
        problems.addAll(auditReportPurge(withHooks, recorded, report).stream().map(p -> withHooks + ": " + p).toList());
        report.append(unattributed(recorded));
        Files.writeString(Path.of("target", "rbac-audit.txt"), report);
        assertThat(problems).as("\n" + report + "\n(the same report is in target/rbac-audit.txt; when only part of "
                + "the suite ran, unused grants are expected)").isEmpty();
    }

    /** The problems of one rendering's RBAC against the recorded requests; its report appended to {@code report}. */
    private static List<String> audit(ManifestSet set, List<RecordedRequest> recorded, StringBuilder report) {
        RbacPolicy policy = new RbacPolicy(set.objects());
        JsonNode deployment = set.one("Deployment", "headstart");
        String namespace = deployment.path("metadata").path("namespace").asText();
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        String account = pod.path("serviceAccountName").asText("default");

        report.append("RBAC of " + set + " against " + recorded.size()
                + " recorded API requests (" + testClasses(recorded) + " test classes)\n\n");
        List<String> problems = new ArrayList<>();
        Set<String> componentRoles = new TreeSet<>();
        for (Component component : List.of(Component.WEBHOOK, Component.CONTROLLER)) {
            assertThat(pod.path("containers").findValuesAsText("name")).as("containers of the Deployment")
                    .contains(container(component));
            List<RbacPolicy.Grant> grants = policy.grantsTo(namespace, account).stream()
                    .filter(g -> g.role().name().equals(component.product())).toList();
            grants.forEach(g -> componentRoles.add(g.role().ref()));
            RbacAudit.Result result = RbacAudit.audit(component, namespace + "/" + account, grants, recorded, UNTESTED);
            report.append(result.report()).append('\n');
            if (result.requests() == 0) {
                problems.add(component.product() + ": no request recorded at all (did the mock-server tests run, "
                        + "and do they give the code a client with the component's User-Agent?)");
            }
            if (!result.ok()) {
                problems.add(component.product() + ": " + result.missing().size() + " missing, "
                        + result.unused().size() + " unused, " + result.staleAllowed().size() + " stale allow-list");
            }
        }
        List<String> orphans = policy.grantsTo(namespace, account).stream().map(g -> g.role().ref())
                .filter(ref -> !componentRoles.contains(ref)).distinct().toList();
        if (!orphans.isEmpty()) {
            problems.add("roles bound to " + namespace + "/" + account + " that belong to no component (name them "
                    + "headstart-webhook or headstart-controller): " + orphans);
        }
        return problems;
    }

    /** The report purge hook's Job, its account's roles against what the purge command sent. */
    private static List<String> auditReportPurge(ManifestSet set, List<RecordedRequest> recorded, StringBuilder report) {
        String product = Component.REPORT_PURGE.product();
        JsonNode job = set.one("Job", product);
        String namespace = job.path("metadata").path("namespace").asText();
        String account = job.at("/spec/template/spec/serviceAccountName").asText("default");
        RbacPolicy policy = new RbacPolicy(set.objects());
        List<RbacPolicy.Grant> all = policy.grantsTo(namespace, account);
        List<RbacPolicy.Grant> grants = all.stream().filter(g -> g.role().name().equals(product)).toList();
        RbacAudit.Result result = RbacAudit.audit(Component.REPORT_PURGE, namespace + "/" + account, grants, recorded, UNTESTED);
        report.append("RBAC of the report purge hook of " + set + "\n\n").append(result.report()).append('\n');
        List<String> problems = new ArrayList<>();
        if (result.requests() == 0) {
            problems.add(product + ": no request recorded at all (did ReportsPurgeCommandTest run?)");
        }
        if (!result.ok()) {
            problems.add(product + ": " + result.missing().size() + " missing, " + result.unused().size() + " unused, "
                    + result.staleAllowed().size() + " stale allow-list");
        }
        List<String> orphans = all.stream().map(g -> g.role().ref()).filter(ref -> grants.stream().noneMatch(g -> g.role().ref().equals(ref)))
                .distinct().toList();
        if (!orphans.isEmpty()) {
            problems.add("roles bound to " + namespace + "/" + account + " other than " + product + ": " + orphans);
        }
        return problems;
    }

    private static long testClasses(List<RecordedRequest> recorded) {
        return recorded.stream().map(RecordedRequest::test).distinct().count();
    }

    /** Requests no component sent (test fixtures, the CLI): listed by User-Agent for the curious. */
    private static String unattributed(List<RecordedRequest> recorded) {
        Map<String, Long> byAgent = recorded.stream().filter(r -> r.component().isEmpty())
                .collect(Collectors.groupingBy(RecordedRequest::userAgent, java.util.TreeMap::new, Collectors.counting()));
        return "not checked (fixtures and other clients, by User-Agent): " + byAgent + "\n";
    }
}
