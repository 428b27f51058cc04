package dev.headstart.admission;

import dev.headstart.cluster.NamespaceInformer;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.report.PolicyReportSink;
import com.fasterxml.jackson.databind.JsonNode;
import dev.headstart.rules.Annotations;
import dev.headstart.rules.Finding;
import dev.headstart.rules.RuleEngine;
import dev.headstart.rules.RuleResult;
import dev.headstart.rules.RuleStatus;
import dev.headstart.rules.Workload;
import dev.headstart.rules.WorkloadKind;
import dev.headstart.text.OneLine;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code /validate}: the rules' read-only side. Pods on CREATE, and the pod controllers (Deployment,
 * StatefulSet, DaemonSet, ReplicaSet, Job, CronJob) on CREATE and UPDATE, are evaluated; in audit
 * mode every failed finding becomes an admission warning, in enforce mode the object is denied (403)
 * with each failed rule and its fix. A rule that errors fails open. The verdicts of allowed objects
 * go to the PolicyReport sink (never on dry runs), which returns at once.
 *
 * <p>Enforce mode denies where the person applying sees it, as Kyverno's auto-generated rules do:
 * on the controller's pod template. It never denies an object that another controller made (a
 * controller ownerReference: the Deployment's ReplicaSet, the ReplicaSet's pods, the CronJob's Job):
 * its owner was judged at its own level, and a denial there only stalls a rollout silently (the
 * message lives in FailedCreate events). Nor does it deny an UPDATE that leaves the pod template
 * (and {@code headstart.dev/skip}) as stored: the controllers' own writes (revision annotations,
 * a Job's suspend) and a label fix during an incident must go through. Those get warnings instead.
 */
@Singleton
public class ValidatingHandler implements AdmissionHandler {

    /** The namespace label that overrides {@code headstart.validation.mode}. */
    public static final String MODE_LABEL = "headstart.dev/mode";

    /** Findings listed in a denial; the rest are counted, so the message stays bounded. */
    static final int MAX_LISTED_FINDINGS = 20;

    /** One finding's line in a denial, at most. */
    static final int MAX_LINE_CHARS = 500;

    private final RuleEngine engine;
    private final NamespaceInformer namespaces;
    private final PolicyReportSink reports;
    private final ValidationMode defaultMode;

    public ValidatingHandler(RuleEngine engine, NamespaceInformer namespaces, PolicyReportSink reports,
            HeadstartConfig config) {
        this.engine = engine;
        this.namespaces = namespaces;
        this.reports = reports;
        this.defaultMode = ValidationMode.parse(config.validation().mode()).orElseThrow(() ->
                new IllegalArgumentException("headstart.validation.mode must be audit or enforce"));
    }

    @Override
    public AdmissionResponse handle(AdmissionRequest request) {
        Optional<Workload> workload = Workload.of(request.object(), request.namespace());
        if (workload.isEmpty() || !request.subResource().isEmpty()
                || !validated(workload.get().kind(), request.operation())) {
            return AdmissionResponse.allow(request.uid(), List.of());
        }
        List<RuleResult> results = engine.evaluate(workload.get());
        AdmissionResponse answer = answer(request, workload.get(), results);
        // A denied object is never stored: nothing to report. An allowed one may still be denied
        // later in the chain or fail to store; the writer checks that before it writes.
        if (answer.allowed() && !request.dryRun()) {
            reports.submit(workload.get(), results);
        }
        return answer;
    }

    private AdmissionResponse answer(AdmissionRequest request, Workload workload, List<RuleResult> results) {
        List<Finding> findings = new ArrayList<>();
        // Most important first (kube-apiserver drops what passes its budget, AdmissionWarnings counts
        // it instead): a rule that could not check at all, then the findings, then the skip-list notes.
        List<String> warnings = new ArrayList<>();
        for (RuleResult result : results) {
            if (result.status() == RuleStatus.FAIL) {
                findings.addAll(result.findings());
            } else if (result.status() == RuleStatus.ERROR) {
                warnings.add("headstart: " + result.rule().name() + ": rule failed and was skipped");
            }
        }
        List<String> notes = engine.skipWarnings(workload);
        if (findings.isEmpty()) {
            warnings.addAll(notes);
            return AdmissionResponse.allow(request.uid(), List.copyOf(warnings));
        }
        if (modeFor(request.namespace()) == ValidationMode.ENFORCE && enforceable(request, workload)) {
            warnings.addAll(notes);
            return AdmissionResponse.deny(request.uid(), 403, denialMessage(findings), List.copyOf(warnings));
        }
        findings.forEach(f -> warnings.add(f.warning()));
        warnings.addAll(notes);
        return AdmissionResponse.allow(request.uid(), List.copyOf(warnings));
    }

    ValidationMode modeFor(String namespace) {
        return namespaces.label(namespace, MODE_LABEL).flatMap(ValidationMode::parse).orElse(defaultMode);
    }

    /** One line per failed finding with its fix, at most {@link #MAX_LISTED_FINDINGS}, then a count. */
    static String denialMessage(List<Finding> findings) {
        StringBuilder message = new StringBuilder("headstart: denied by ")
                .append(findings.size()).append(findings.size() == 1 ? " failed rule check:" : " failed rule checks:");
        int listed = Math.min(findings.size(), MAX_LISTED_FINDINGS);
        for (int i = 0; i < listed; i++) {
            Finding f = findings.get(i);
            String line = f.rule() + ": " + f.message();
            if (f.fix() != null && !f.fix().isBlank()) {
                line += " (fix: " + f.fix() + ")";
            }
            // Each finding on its own line, and a quoted value can never add one.
            message.append("\n- ").append(OneLine.of(line, MAX_LINE_CHARS));
        }
        if (findings.size() > listed) {
            message.append("\n- and ").append(findings.size() - listed).append(" more");
        }
        return message.toString();
    }

    private static boolean validated(WorkloadKind kind, String operation) {
        return switch (kind) {
            case POD -> operation.equals("CREATE");
            case DAEMON_SET, DEPLOYMENT, STATEFUL_SET, REPLICA_SET, JOB, CRON_JOB ->
                    operation.equals("CREATE") || operation.equals("UPDATE");
        };
    }

    /** Whether enforce mode may deny this request (see the class comment). */
    static boolean enforceable(AdmissionRequest request, Workload workload) {
        if (madeByAController(workload.root())) {
            return false;
        }
        if (!request.operation().equals("UPDATE") || request.oldObject() == null) {
            return true;
        }
        JsonNode old = request.oldObject();
        JsonNode now = workload.root();
        String template = workload.kind() == WorkloadKind.CRON_JOB ? "/spec/jobTemplate/spec/template" : "/spec/template";
        String skip = "/metadata/annotations/" + Annotations.SKIP.replace("/", "~1");
        return !old.at(template).equals(now.at(template)) || !old.at(skip).equals(now.at(skip));
    }

    /** An ownerReference with {@code controller: true}: the object was made by a controller. */
    static boolean madeByAController(JsonNode object) {
        for (JsonNode owner : object.path("metadata").path("ownerReferences")) {
            if (owner.path("controller").asBoolean(false)) {
                return true;
            }
        }
        return false;
    }
}
