package dev.headstart.controller.imagecache;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.json.Json;
import dev.headstart.report.PolicyReportModel;
import dev.headstart.report.PolicyReportWriter;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Makes failed images visible where their owners look: a {@code Warning} Event
 * {@code ImageCacheFailed} on each workload that uses one (its message names the image, on how many
 * nodes it failed and the kubelet's reason), a PolicyReport result {@code image-cache} for that
 * workload (fail, and pass again once its images pull), and a log line per image. Written when a
 * workload's set of failed images changes, not on every pass: an image that stays failed, or flips
 * between {@code ErrImagePull} and {@code ImagePullBackOff} as the kubelet backs off, draws one
 * Event. What was reported is remembered in memory, so a new leader reports once more.
 */
final class FailedImageReporter {

    private static final Logger LOG = Logger.getLogger(FailedImageReporter.class);
    static final String REASON = "ImageCacheFailed";
    static final String RULE = "image-cache";
    static final String REPORT_PREFIX = "headstart-image-cache-";

    private final Supplier<KubernetesClient> client;
    private final Clock clock;
    /** Workload key → the failed images last reported for it (what an unchanged pass compares with). */
    private final Map<String, Set<String>> reported = new HashMap<>();
    /** Image → its last logged line. */
    private final Map<String, String> logged = new HashMap<>();
    private boolean noCrdLogged;

    FailedImageReporter(Supplier<KubernetesClient> client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /**
     * @param failed  every image failing somewhere now
     * @param users   image → the workloads whose pod templates use it
     */
    synchronized void update(Map<String, FailedImage> failed, Map<String, List<WorkloadRef>> users) {
        log(failed, users);
        Map<String, WorkloadRef> workloads = new TreeMap<>();
        Map<String, Set<String>> failedBy = new TreeMap<>();
        users.forEach((image, refs) -> refs.forEach(ref -> {
            workloads.put(ref.key(), ref);
            if (failed.containsKey(image)) {
                failedBy.computeIfAbsent(ref.key(), k -> new TreeSet<>()).add(image);
            }
        }));
        for (Map.Entry<String, Set<String>> entry : failedBy.entrySet()) {
            Set<String> before = reported.get(entry.getKey());
            if (entry.getValue().equals(before)) {
                continue;
            }
            WorkloadRef ref = workloads.get(entry.getKey());
            String message = entry.getValue().stream().map(failed::get).map(FailedImage::describe)
                    .collect(Collectors.joining("; "));
            boolean written = event(ref, "Image cache: " + message) & report(ref, false, message);
            if (written) {
                reported.put(entry.getKey(), Set.copyOf(entry.getValue()));
            }
        }
        // Workloads whose images all pull again (or that no longer exist): pass, and forget.
        for (String key : List.copyOf(reported.keySet())) {
            if (failedBy.containsKey(key)) {
                continue;
            }
            WorkloadRef ref = workloads.get(key);
            if (ref == null || report(ref, true, "every image is cached or being pulled")) {
                reported.remove(key);
            }
        }
    }

    synchronized void forget() {
        reported.clear();
        logged.clear();
    }

    private void log(Map<String, FailedImage> failed, Map<String, List<WorkloadRef>> users) {
        failed.forEach((image, f) -> {
            String line = f.describe();
            if (!line.equals(logged.get(image))) {
                logged.put(image, line);
                LOG.warnf("image cache: %s; used by %s", line, users.getOrDefault(image, List.of()).stream()
                        .map(WorkloadRef::key).collect(Collectors.joining(", ")));
            }
        });
        for (String image : List.copyOf(logged.keySet())) {
            if (!failed.containsKey(image)) {
                logged.remove(image);
                LOG.infof("image cache: %s no longer fails on any node", image);
            }
        }
    }

    private boolean event(WorkloadRef ref, String message) {
        Instant now = clock.instant();
        String ts = now.toString();
        try {
            client.get().v1().events().inNamespace(ref.namespace()).resource(new EventBuilder()
                    .withNewMetadata()
                        .withName(ref.name() + "." + Long.toHexString(now.toEpochMilli()) + Long.toHexString(System.nanoTime() & 0xfff))
                        .withNamespace(ref.namespace())
                    .endMetadata()
                    .withNewInvolvedObject()
                        .withApiVersion(ref.apiVersion()).withKind(ref.kind())
                        .withNamespace(ref.namespace()).withName(ref.name()).withUid(ref.uid())
                    .endInvolvedObject()
                    .withReason(REASON)
                    .withType("Warning")
                    .withMessage(message.length() > 1000 ? message.substring(0, 1000) + "…" : message)
                    .withFirstTimestamp(ts)
                    .withLastTimestamp(ts)
                    .withCount(1)
                    .withNewSource().withComponent("headstart-controller").endSource()
                    .build()).create();
            return true;
        } catch (KubernetesClientException e) {
            LOG.warnf("%s: event %s not recorded: %s", ref.key(), REASON, e.getMessage());
            return false;
        }
    }

    /** The workload's image-cache PolicyReport: its own report beside the rules' one, owned by the workload. */
    private boolean report(WorkloadRef ref, boolean pass, String message) {
        if (ref.uid() == null || ref.uid().isEmpty()) {
            return true; // nothing to own it; the Event and the log say it
        }
        GenericKubernetesResource resource = Json.MAPPER.convertValue(build(ref, pass, message, clock.instant()),
                GenericKubernetesResource.class);
        try {
            client.get().genericKubernetesResources(PolicyReportWriter.POLICY_REPORTS).inNamespace(ref.namespace())
                    .resource(resource).createOr(NonDeletingOperation::update);
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                if (!noCrdLogged) {
                    noCrdLogged = true;
                    LOG.warn("image cache: PolicyReports are not served by this cluster (404); Events and logs only");
                }
                return true;
            }
            LOG.warnf("%s: image-cache PolicyReport not written: %s", ref.key(), e.getMessage());
            return false;
        }
    }

    static ObjectNode build(WorkloadRef ref, boolean pass, String message, Instant now) {
        ObjectNode report = Json.MAPPER.createObjectNode();
        report.put("apiVersion", PolicyReportModel.API_VERSION);
        report.put("kind", PolicyReportModel.KIND);
        ObjectNode metadata = report.putObject("metadata");
        metadata.put("name", reportName(ref));
        metadata.put("namespace", ref.namespace());
        metadata.putObject("labels").put("app.kubernetes.io/managed-by", "headstart");
        ObjectNode scope = report.putObject("scope");
        scope.put("apiVersion", ref.apiVersion());
        scope.put("kind", ref.kind());
        scope.put("name", ref.name());
        scope.put("namespace", ref.namespace());
        ObjectNode summary = report.putObject("summary");
        summary.put("pass", pass ? 1 : 0);
        summary.put("fail", pass ? 0 : 1);
        summary.put("warn", 0);
        summary.put("error", 0);
        summary.put("skip", 0);
        ObjectNode entry = report.putArray("results").addObject();
        entry.put("source", PolicyReportModel.SOURCE);
        entry.put("policy", RULE);
        entry.put("rule", RULE);
        entry.put("category", "Scale-up latency");
        entry.put("severity", "medium");
        entry.put("result", pass ? "pass" : "fail");
        entry.put("scored", true);
        entry.put("message", message);
        ObjectNode timestamp = entry.putObject("timestamp");
        timestamp.put("seconds", now.getEpochSecond());
        timestamp.put("nanos", now.getNano());
        if (!pass) {
            entry.putObject("properties").put("fix", "push the image (tag deleted?), give the workload's namespace a "
                    + "pull secret that can read it, or exclude it with headstart.image-cache.exclude");
        }
        return PolicyReportModel.withOwner(report, ref.uid());
    }

    /** {@code headstart-image-cache-<kind>-<name>}, hashed down to 253 characters when longer. */
    static String reportName(WorkloadRef ref) {
        String name = REPORT_PREFIX + ref.kind().toLowerCase(Locale.ROOT) + "-" + ref.name();
        if (name.length() <= 253) {
            return name;
        }
        try {
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(name.getBytes(StandardCharsets.UTF_8))).substring(0, 10);
            return name.substring(0, 242).replaceAll("[-.]+$", "") + "-" + hash;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
