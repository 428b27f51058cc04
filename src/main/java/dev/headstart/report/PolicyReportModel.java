package dev.headstart.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.json.Json;
import dev.headstart.rules.Finding;
import dev.headstart.rules.RuleResult;
import dev.headstart.rules.RuleStatus;
import dev.headstart.rules.Workload;
import dev.headstart.text.OneLine;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Builds the {@code wgpolicyk8s.io/v1alpha2} PolicyReport for one workload from the rules'
 * verdicts: one result per rule ({@code policy} = rule name), a summary that counts them, and the
 * workload as {@code scope}. Pure, shared by the webhook's writer and {@code headstart audit}.
 */
public final class PolicyReportModel {

    public static final String API_VERSION = "wgpolicyk8s.io/v1alpha2";
    public static final String KIND = "PolicyReport";
    public static final String SOURCE = "headstart";

    /**
     * The label that marks the rules' reports (not the image cache's, which carry only
     * {@code app.kubernetes.io/managed-by}): what the clean-up and {@code make undeploy} select.
     */
    public static final String RULES_LABEL = "headstart.dev/report";
    public static final String RULES_LABEL_VALUE = "rules";

    /** Where a report keeps the digest of its verdict ({@link #verdict}). */
    public static final String VERDICT_ANNOTATION = "headstart.dev/verdict";

    /** Kubernetes object names are DNS subdomains of at most 253 characters. */
    static final int MAX_NAME = 253;

    /**
     * A result's message and fix, at most: printable and on one line like every admission warning
     * ({@link OneLine}), so an image string quoted verbatim cannot break policy-reporter's table.
     */
    static final int MAX_MESSAGE_CHARS = 8192;

    private PolicyReportModel() {
    }

    /** The workload's own name; empty when it has none yet (a CREATE with generateName only). */
    public static String resourceName(Workload workload) {
        return workload.root().path("metadata").path("name").asText("");
    }

    /**
     * {@code headstart-<kind>-<name>}, shortened with a hash suffix when it would exceed 253
     * characters, so distinct long names keep distinct reports.
     */
    public static String reportName(Workload workload) {
        String name = "headstart-" + workload.kind().kindName().toLowerCase(Locale.ROOT) + "-" + resourceName(workload);
        if (name.length() <= MAX_NAME) {
            return name;
        }
        String hash = sha256(name).substring(0, 10);
        String head = name.substring(0, MAX_NAME - hash.length() - 1);
        // A subdomain label may not end in '-' or '.': trim those before the hash suffix.
        head = head.replaceAll("[-.]+$", "");
        return head + "-" + hash;
    }

    /**
     * The name of the report on a stored object: {@code headstart-<uid>}. A uid belongs to one object
     * for ever (kube-apiserver gives a new one to every create, store.go FillObjectMetaSystemFields),
     * so no other object, not even a later one of the same name, can ever take the report over.
     * Kyverno names its reports by the bare uid; the prefix keeps the two apart.
     */
    public static String reportName(String uid) {
        return "headstart-" + uid;
    }

    /**
     * @param ownerUid the workload's uid when known: then the report is named by it
     *                 ({@link #reportName(String)}) and owned by it (garbage collected with it); null
     *                 (offline, {@code headstart audit}) names it by kind and name, without owner
     */
    public static ObjectNode build(Workload workload, List<RuleResult> results, Instant now, String ownerUid) {
        ObjectNode report = Json.MAPPER.createObjectNode();
        report.put("apiVersion", API_VERSION);
        report.put("kind", KIND);
        ObjectNode metadata = report.putObject("metadata");
        boolean owned = ownerUid != null && !ownerUid.isEmpty();
        metadata.put("name", owned ? reportName(ownerUid) : reportName(workload));
        if (!workload.namespace().isEmpty()) {
            metadata.put("namespace", workload.namespace());
        }
        ObjectNode labels = metadata.putObject("labels");
        labels.put("app.kubernetes.io/managed-by", "headstart");
        labels.put(RULES_LABEL, RULES_LABEL_VALUE);
        String apiVersion = workload.root().path("apiVersion").asText("");
        String kind = workload.kind().kindName();

        ObjectNode scope = report.putObject("scope");
        scope.put("apiVersion", apiVersion);
        scope.put("kind", kind);
        scope.put("name", resourceName(workload));
        if (!workload.namespace().isEmpty()) {
            scope.put("namespace", workload.namespace());
        }

        int pass = 0;
        int fail = 0;
        int error = 0;
        int skip = 0;
        ArrayNode entries = Json.MAPPER.createArrayNode();
        for (RuleResult result : results) {
            switch (result.status()) {
                case PASS -> pass++;
                case FAIL -> fail++;
                case ERROR -> error++;
                case SKIP -> skip++;
            }
            entries.add(entry(result, now));
        }
        ObjectNode summary = report.putObject("summary");
        summary.put("pass", pass);
        summary.put("fail", fail);
        summary.put("warn", 0);
        summary.put("error", error);
        summary.put("skip", skip);
        report.set("results", entries);
        metadata.putObject("annotations").put(VERDICT_ANNOTATION, verdict(report));
        return owned ? withOwner(report, ownerUid) : report;
    }

    /**
     * A digest of what the report says (scope, summary, each result without its timestamp): equal
     * digests mean an unchanged verdict, which the writer does not write again.
     */
    public static String verdict(JsonNode report) {
        ObjectNode said = Json.MAPPER.createObjectNode();
        said.put("apiVersion", report.path("apiVersion").asText());
        said.set("scope", report.path("scope"));
        said.set("summary", report.path("summary"));
        ArrayNode results = said.putArray("results");
        for (JsonNode result : report.path("results")) {
            ObjectNode copy = result.deepCopy();
            copy.remove("timestamp");
            results.add(copy);
        }
        return sha256(said.toString()).substring(0, 32);
    }

    /** The digest a stored report carries, or "" when it carries none. */
    public static String verdictOf(JsonNode report) {
        return report.path("metadata").path("annotations").path(VERDICT_ANNOTATION).asText("");
    }

    /**
     * The report owned by the resource in its scope: an ownerReference (so the report is garbage
     * collected with the resource) and the scope's uid. Changes and returns {@code report}.
     */
    public static ObjectNode withOwner(ObjectNode report, String uid) {
        JsonNode scope = report.path("scope");
        ObjectNode owner = ((ObjectNode) report.path("metadata")).putArray("ownerReferences").addObject();
        owner.put("apiVersion", scope.path("apiVersion").asText());
        owner.put("kind", scope.path("kind").asText());
        owner.put("name", scope.path("name").asText());
        owner.put("uid", uid);
        ((ObjectNode) scope).put("uid", uid);
        return report;
    }

    private static ObjectNode entry(RuleResult result, Instant now) {
        ObjectNode entry = Json.MAPPER.createObjectNode();
        entry.put("source", SOURCE);
        entry.put("policy", result.rule().name());
        entry.put("rule", result.rule().name());
        entry.put("category", result.rule().category());
        entry.put("severity", result.rule().severity());
        entry.put("result", result.status().reportValue());
        entry.put("scored", true);
        entry.put("message", OneLine.of(message(result), MAX_MESSAGE_CHARS));
        ObjectNode timestamp = entry.putObject("timestamp");
        timestamp.put("seconds", now.getEpochSecond());
        timestamp.put("nanos", now.getNano());
        if (result.status() == RuleStatus.FAIL) {
            String fixes = result.findings().stream().map(Finding::fix)
                    .filter(f -> f != null && !f.isBlank()).distinct().collect(Collectors.joining("; "));
            if (!fixes.isEmpty()) {
                entry.putObject("properties").put("fix", OneLine.of(fixes, MAX_MESSAGE_CHARS));
            }
        }
        return entry;
    }

    private static String message(RuleResult result) {
        return switch (result.status()) {
            case PASS -> "passed";
            case SKIP -> "skipped by the headstart.dev/skip annotation";
            case ERROR -> "rule failed to evaluate: " + (result.error() == null ? "unknown error" : result.error());
            case FAIL -> result.findings().stream().map(Finding::message).collect(Collectors.joining("; "));
        };
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
