package dev.headstart.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.cluster.ClusterAccess;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.json.Json;
import dev.headstart.rules.Annotations;
import dev.headstart.rules.RuleResult;
import dev.headstart.rules.Workload;
import dev.headstart.rules.WorkloadKind;
import dev.headstart.text.OneLine;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes PolicyReports off the request path. {@link #submit} builds the (small) report and puts it
 * in a bounded queue keyed by resource, where a newer verdict replaces a waiting one (latest wins),
 * and returns at once; when the queue is full the oldest entry is dropped and counted. One
 * background thread drains the queue in batches. A failed write is retried with exponential backoff
 * up to a bounded number of attempts, unless a newer verdict came in.
 *
 * <p>Reports describe stored objects only. kube-apiserver calls validating webhooks before it stores
 * anything ({@code registry/generic/registry/store.go}: {@code Create} runs {@code createValidation}
 * before {@code Storage.Create}, which may still fail with AlreadyExists; {@code Update} runs
 * {@code updateValidation} inside {@code GuaranteedUpdate}, whose write may still conflict), so a
 * verdict handed over at admission ({@link #submit}) waits {@code admission-delay} and is written
 * only once a read of the object shows that exactly what was reviewed is stored: the same uid (a
 * denied or AlreadyExists CREATE never stores its uid), the same {@code metadata.generation} (a spec
 * change bumps it in BeforeUpdate, before the webhook sees it) and the same
 * {@code headstart.dev/skip}. Not there yet: retried with backoff, then given up ("not-stored"); a
 * different uid, or a newer generation, is never written ("not-stored", "superseded"). The
 * background scan's verdicts are on listed, stored objects ({@link #submitStored}) and are written
 * without that read.
 *
 * <p>Naming and ownership: a report is named {@code headstart-<uid>} and owned by that uid (an
 * ownerReference: garbage collected with it), so one object's report can never be re-owned by
 * another. It carries the digest of its verdict; a verdict equal to the stored report's is not
 * written again (counted as unchanged), so an hourly scan of unchanged objects reads but never writes.
 *
 * <p>Which API: {@code openreports.io/v1alpha1} Reports when the cluster serves them (or
 * {@code headstart.validation.reports.api=openreports}), else {@code wgpolicyk8s.io/v1alpha2}
 * PolicyReports ({@link ReportApiChoice}), chosen per write; the body is the same
 * ({@link ReportApi#shape}).
 *
 * <p>Without a reachable cluster (or with {@code headstart.validation.reports.enabled=false}) the
 * writer does nothing: {@code submit} returns without queueing and no thread is started.
 */
@Singleton
public class PolicyReportWriter implements PolicyReportSink {

    private static final Logger LOG = Logger.getLogger(PolicyReportWriter.class);

    /** {@code policyreports.wgpolicyk8s.io}: explicit plural and scope, so no API discovery is needed. */
    public static final ResourceDefinitionContext POLICY_REPORTS = ReportApi.WGPOLICYK8S.context();

    private final Instance<KubernetesClient> client;
    private final ReportApiChoice apis;
    private final boolean active;
    private final int batchSize;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    private final PendingReports<Pending> queue;
    private volatile boolean running;
    private Thread worker;

    private final Counter written;
    private final Counter droppedFull;
    private final Counter droppedGaveUp;
    private final Counter droppedUnnamed;
    private final Counter droppedNoCrd;
    private final Counter droppedNotStored;
    private final Counter droppedSuperseded;
    private final Counter unchanged;
    private final Duration admissionDelay;
    private final AtomicBoolean noCrdLogged = new AtomicBoolean();
    private final Counter failures;

    /**
     * One report waiting to be written, with where its object lives and what was reviewed of it:
     * uid, generation (null when the object has none) and skip annotation. {@code stored}: the
     * verdict is on an object read from the API server (the scan), not on an admission review.
     */
    record Pending(String key, ObjectNode report, WorkloadKind kind, String namespace, String name, String uid,
            Long generation, String skip, boolean stored, int attempts) {

        Pending retried() {
            return new Pending(key, report, kind, namespace, name, uid, generation, skip, stored, attempts + 1);
        }
    }

    public PolicyReportWriter(ClusterAccess cluster, Instance<KubernetesClient> client, HeadstartConfig config,
            ReportApiChoice apis, MeterRegistry registry) {
        HeadstartConfig.Validation.Reports settings = config.validation().reports();
        this.client = client;
        this.apis = apis;
        this.active = cluster.enabled() && settings.enabled();
        this.queue = new PendingReports<>(settings.queueCapacity(), System::nanoTime);
        this.batchSize = Math.max(1, settings.batchSize());
        this.maxAttempts = Math.max(1, settings.maxAttempts());
        this.initialBackoff = settings.initialBackoff();
        this.maxBackoff = settings.maxBackoff();
        this.admissionDelay = settings.admissionDelay();
        this.written = Counter.builder("headstart.reports.written")
                .description("PolicyReports created or updated").register(registry);
        this.droppedFull = dropped(registry, "queue-full");
        this.droppedGaveUp = dropped(registry, "gave-up");
        this.droppedUnnamed = dropped(registry, "unnamed");
        this.droppedNoCrd = dropped(registry, "no-crd");
        this.droppedNotStored = dropped(registry, "not-stored");
        this.droppedSuperseded = dropped(registry, "superseded");
        this.unchanged = Counter.builder("headstart.reports.unchanged")
                .description("Verdicts equal to the stored report's, so not written again").register(registry);
        this.failures = Counter.builder("headstart.reports.write.failures")
                .description("PolicyReport write attempts that failed (each is retried with backoff)")
                .register(registry);
        Gauge.builder("headstart.reports.queue", queue, PendingReports::size)
                .description("PolicyReports waiting to be written").register(registry);
    }

    private static Counter dropped(MeterRegistry registry, String reason) {
        return Counter.builder("headstart.reports.dropped")
                .description("PolicyReports never written: queue full (oldest dropped), retries exhausted, no name, "
                        + "CRD missing, object never stored as reviewed, a newer generation stored")
                .tag("reason", reason).register(registry);
    }

    void start(@Observes StartupEvent event) {
        if (!active) {
            return;
        }
        running = true;
        worker = new Thread(this::drain, "headstart-policy-reports");
        worker.setDaemon(true);
        worker.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        Thread current = worker;
        if (current != null) {
            current.interrupt();
        }
    }

    /** A verdict from an admission review: written once the reviewed object is known to be stored. */
    @Override
    public void submit(Workload workload, List<RuleResult> results) {
        queue(workload, results, false);
    }

    /** A verdict on an object read from the API server: written without reading it again. */
    @Override
    public void submitStored(Workload workload, List<RuleResult> results) {
        queue(workload, results, true);
    }

    private void queue(Workload workload, List<RuleResult> results, boolean stored) {
        if (!active) {
            return;
        }
        String name = PolicyReportModel.resourceName(workload);
        if (name.isEmpty()) {
            // generateName only: the API server has not named it yet, so there is nothing to own the report.
            droppedUnnamed.increment();
            return;
        }
        JsonNode metadata = workload.root().path("metadata");
        String uid = metadata.path("uid").asText("");
        if (stored && uid.isEmpty()) {
            droppedUnnamed.increment();
            return;
        }
        Long generation = metadata.path("generation").canConvertToLong() ? metadata.path("generation").asLong() : null;
        String skip = metadata.path("annotations").path(Annotations.SKIP).asText(null);
        ObjectNode report = PolicyReportModel.build(workload, results, Instant.now(), null);
        // One entry per object: by uid when the review has one (a failed CREATE of a live object's
        // name must not push out the live object's verdict), else by name.
        String key = uid.isEmpty() ? workload.namespace() + '/' + workload.kind().kindName() + '/' + name : uid;
        Pending pending = new Pending(key, report, workload.kind(), workload.namespace(), name,
                uid.isEmpty() ? null : uid, generation, skip, stored, 0);
        boolean dropped = stored ? queue.offer(key, pending) : queue.offer(key, pending, admissionDelay.toNanos());
        if (dropped) {
            droppedFull.increment();
        }
    }

    /** The report API written to now (OpenReports when served or set, else wgpolicyk8s). */
    @Override
    public ReportApi reportApi() {
        return apis.current();
    }

    @Override
    public void awaitRoom() throws InterruptedException {
        if (active && running) {
            queue.awaitBelow(queue.capacity() / 2);
        }
    }

    private void drain() {
        while (running) {
            List<Pending> batch;
            try {
                batch = queue.take(batchSize);
            } catch (InterruptedException e) {
                return;
            }
            for (Pending pending : batch) {
                if (!running) {
                    return;
                }
                try {
                    switch (write(pending)) {
                        case WRITTEN -> written.increment();
                        case UNCHANGED -> unchanged.increment();
                        case NOT_STORED -> droppedNotStored.increment();
                        case SUPERSEDED -> droppedSuperseded.increment();
                    }
                } catch (NotStoredYet e) {
                    retry(pending, e, droppedNotStored);
                } catch (PolicyReportsNotServed e) {
                    // Retrying cannot help (CRD not installed, or the namespace is gone): drop.
                    if (e.namespaceGone) {
                        droppedGaveUp.increment();
                    } else {
                        droppedNoCrd.increment();
                    }
                    if (!e.namespaceGone && noCrdLogged.compareAndSet(false, true)) {
                        LOG.warnf("%s is not served by this cluster (404): install its CRD (for wgpolicyk8s: "
                                + "manifests/crds/policyreports.wgpolicyk8s.io.yaml); reports are dropped until then",
                                e.getMessage());
                    }
                } catch (RuntimeException e) {
                    failures.increment();
                    retry(pending, e, droppedGaveUp);
                }
            }
        }
    }

    private void retry(Pending pending, RuntimeException e, Counter givenUp) {
        int attempt = pending.attempts() + 1;
        if (attempt >= maxAttempts) {
            givenUp.increment();
            LOG.warnf("gave up writing PolicyReport for %s after %d attempts: %s", pending.key(), attempt, OneLine.of(e));
            return;
        }
        long delay = Math.min(maxBackoff.toNanos(), initialBackoff.toNanos() << Math.min(20, attempt - 1));
        LOG.debugf("PolicyReport write for %s failed (attempt %d), retrying in %d ms: %s", pending.key(), attempt,
                delay / 1_000_000, OneLine.of(e));
        // A newer verdict already waiting wins over this retry; a full queue drops the retry.
        if (!queue.retry(pending.key(), pending.retried(), delay)) {
            droppedFull.increment();
        }
    }

    /** What became of one verdict. */
    enum Outcome { WRITTEN, UNCHANGED, NOT_STORED, SUPERSEDED }

    private Outcome write(Pending pending) {
        KubernetesClient kube = client.get();
        String uid = pending.uid();
        if (!pending.stored()) {
            HasMetadata live = kube.resources(typeOf(pending.kind())).inNamespace(pending.namespace())
                    .withName(pending.name()).get();
            if (live == null || live.getMetadata().getUid() == null) {
                throw new NotStoredYet(pending.kind().kindName() + " not stored (yet)");
            }
            if (uid != null && !uid.equals(live.getMetadata().getUid())) {
                return Outcome.NOT_STORED; // an AlreadyExists CREATE, or an object since replaced
            }
            uid = live.getMetadata().getUid();
            Long generation = live.getMetadata().getGeneration();
            if (pending.generation() != null && generation != null && !pending.generation().equals(generation)) {
                if (generation > pending.generation()) {
                    return Outcome.SUPERSEDED;
                }
                throw new NotStoredYet("generation " + pending.generation() + " not stored (yet)");
            }
            Map<String, String> annotations = live.getMetadata().getAnnotations();
            String skip = annotations == null ? null : annotations.get(Annotations.SKIP);
            if (!Objects.equals(skip, pending.skip())) {
                throw new NotStoredYet(Annotations.SKIP + " as reviewed not stored (yet)");
            }
        }
        // The API is chosen at write time, so a switch (CRD installed, setting changed) applies to
        // what is still queued.
        ReportApi api = apis.current();
        ObjectNode report = pending.report().deepCopy();
        ((ObjectNode) report.path("metadata")).put("name", PolicyReportModel.reportName(uid));
        PolicyReportModel.withOwner(report, uid);
        report = api.shape(report);
        try {
            var reports = kube.genericKubernetesResources(api.context()).inNamespace(pending.namespace());
            GenericKubernetesResource existing = reports.withName(PolicyReportModel.reportName(uid)).get();
            if (existing != null && PolicyReportModel.verdictOf(Json.MAPPER.valueToTree(existing))
                    .equals(PolicyReportModel.verdictOf(report))) {
                noCrdLogged.set(false);
                return Outcome.UNCHANGED;
            }
            GenericKubernetesResource resource = Json.MAPPER.convertValue(report, GenericKubernetesResource.class);
            if (existing == null) {
                reports.resource(resource).create();
            } else {
                // Optimistic: a conflict (someone wrote in between) is retried with the newer version read.
                resource.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
                reports.resource(resource).update();
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                boolean namespaceGone = e.getStatus() != null && e.getStatus().getDetails() != null
                        && "namespaces".equals(e.getStatus().getDetails().getKind());
                throw new PolicyReportsNotServed(api, namespaceGone);
            }
            throw e;
        }
        noCrdLogged.set(false);
        return Outcome.WRITTEN;
    }

    /** The reviewed object is not (or not yet) what is stored: retried, then given up as not-stored. */
    private static final class NotStoredYet extends RuntimeException {
        NotStoredYet(String message) {
            super(message, null, false, false);
        }
    }

    /** A 404 on write: the CRD is not installed, or the report's namespace no longer exists. */
    private static final class PolicyReportsNotServed extends RuntimeException {
        final boolean namespaceGone;

        PolicyReportsNotServed(ReportApi api, boolean namespaceGone) {
            super(api.resource(), null, false, false);
            this.namespaceGone = namespaceGone;
        }
    }

    private static Class<? extends HasMetadata> typeOf(WorkloadKind kind) {
        return switch (kind) {
            case POD -> Pod.class;
            case DAEMON_SET -> DaemonSet.class;
            case DEPLOYMENT -> Deployment.class;
            case STATEFUL_SET -> StatefulSet.class;
            case REPLICA_SET -> ReplicaSet.class;
            case JOB -> Job.class;
            case CRON_JOB -> CronJob.class;
        };
    }
}
