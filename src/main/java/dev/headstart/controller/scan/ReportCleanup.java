package dev.headstart.controller.scan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.json.Json;
import dev.headstart.report.PolicyReportModel;
import dev.headstart.report.ReportApi;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Deletes Headstart's own rule reports that no longer describe anything (issue 26): in a namespace
 * that is no longer opted in, named the pre-uid way ({@code headstart-pod-<name>}, replaced by
 * {@code headstart-<uid>}), or about a scanned Pod or DaemonSet that the scan did not find (created
 * before the scan started, so a report written meanwhile is never taken for stale). Selected by
 * label only: reports of other tools, and the image cache's, are never touched. Reports of deleted
 * objects are normally gone already: each is owned by its object's uid and garbage collected with it.
 *
 * <p>It sweeps the report API in use ({@link ReportApi}) that way, and deletes every Headstart rule
 * report in the other one: after a switch to OpenReports (or back) the old API's reports describe
 * nothing Headstart still writes, and policy-reporter, which reads both, would show each verdict
 * twice. An API the cluster does not serve answers 404: nothing to delete there.
 */
final class ReportCleanup {

    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    private static final Pattern LEGACY_NAME = Pattern.compile("^headstart-(pod|daemonset)-.+");
    private static final Set<String> SCANNED_KINDS = Set.of("Pod", "DaemonSet");

    private ReportCleanup() {
    }

    /**
     * @param seenUids per scanned namespace, the uids of the objects the scan evaluated
     * @return how many reports were deleted
     */
    static int sweep(KubernetesClient client, Set<String> optedIn, Map<String, Set<String>> seenUids,
            Instant scanStarted, int pageSize) {
        return sweep(client, ReportApi.WGPOLICYK8S, optedIn, seenUids, scanStarted, pageSize);
    }

    /** @param api the report API in use: swept for stale reports; every other API loses all of Headstart's rule reports */
    static int sweep(KubernetesClient client, ReportApi api, Set<String> optedIn, Map<String, Set<String>> seenUids,
            Instant scanStarted, int pageSize) {
        int deleted = sweep(client, api, report -> stale(report, optedIn, seenUids, scanStarted), pageSize);
        for (ReportApi other : ReportApi.values()) {
            if (other != api && !Thread.currentThread().isInterrupted()) {
                deleted += sweep(client, other, ReportCleanup::rulesReport, pageSize);
            }
        }
        return deleted;
    }

    private static int sweep(KubernetesClient client, ReportApi api, Predicate<JsonNode> delete, int pageSize) {
        int deleted = 0;
        try {
            var reports = client.genericKubernetesResources(api.context()).inAnyNamespace()
                    .withLabel(MANAGED_BY, PolicyReportModel.SOURCE);
            String next = null;
            do {
                GenericKubernetesResourceList page = reports.list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder()
                        .withLimit((long) pageSize).withContinue(next).build());
                for (GenericKubernetesResource report : page.getItems()) {
                    if (delete.test(Json.MAPPER.valueToTree(report))) {
                        client.genericKubernetesResources(api.context())
                                .inNamespace(report.getMetadata().getNamespace())
                                .withName(report.getMetadata().getName()).delete();
                        deleted++;
                    }
                }
                next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
            } while (next != null && !next.isEmpty() && !Thread.currentThread().isInterrupted());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
            // This API is not served (CRD not installed): there is nothing to clean up.
        }
        return deleted;
    }

    /** One of the rules' reports (by label, or by the old naming), not the image cache's. */
    static boolean rulesReport(JsonNode report) {
        JsonNode metadata = report.path("metadata");
        return PolicyReportModel.RULES_LABEL_VALUE.equals(metadata.path("labels").path(PolicyReportModel.RULES_LABEL).asText())
                || LEGACY_NAME.matcher(metadata.path("name").asText()).matches();
    }

    static boolean stale(JsonNode report, Set<String> optedIn, Map<String, Set<String>> seenUids, Instant scanStarted) {
        JsonNode metadata = report.path("metadata");
        String name = metadata.path("name").asText();
        boolean rules = PolicyReportModel.RULES_LABEL_VALUE.equals(
                metadata.path("labels").path(PolicyReportModel.RULES_LABEL).asText());
        boolean legacy = LEGACY_NAME.matcher(name).matches();
        if (!rules && !legacy) {
            return false; // another Headstart report (the image cache's): not the rules' to delete
        }
        String namespace = metadata.path("namespace").asText();
        if (legacy || !optedIn.contains(namespace)) {
            return true;
        }
        Set<String> seen = seenUids.get(namespace);
        String kind = report.path("scope").path("kind").asText();
        String uid = report.path("scope").path("uid").asText();
        if (seen == null || !SCANNED_KINDS.contains(kind) || uid.isEmpty() || seen.contains(uid)) {
            return false;
        }
        String created = metadata.path("creationTimestamp").asText("");
        return created.isEmpty() || Instant.parse(created).isBefore(scanStarted);
    }
}
