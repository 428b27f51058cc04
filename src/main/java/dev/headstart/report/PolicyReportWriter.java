package dev.headstart.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.cluster.ClusterAccess;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.json.Json;
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
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
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
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes PolicyReports off the request path. {@link #submit} builds the (small) report and puts it
 * in a bounded queue keyed by resource, where a newer verdict replaces a waiting one (latest wins),
 * and returns at once; when the queue is full the oldest entry is dropped and counted. One
 * background thread drains the queue in batches with create-or-update ({@code POST}, then
 * {@code PUT} on conflict: the report is wholly ours, so last write wins). A failed write is retried
 * with exponential backoff up to a bounded number of attempts, unless a newer verdict came in.
 *
 * <p>Ownership: the report is owned by its resource (ownerReference with the uid), so it is garbage
 * collected with it. Validating admission runs after the API server has filled in the name and uid
 * of a new object, so {@code /validate} normally hands over both. When the uid is missing anyway (a
 * mutating-phase caller, an older API server), the worker reads it from the API server just before
 * writing; while the object is not found the write is retried with backoff, and given up when it
 * never appears (a CREATE denied in enforce mode or by another webhook). A report is therefore never
 * written without an owner, and never outlives its resource. Objects without a name at all
 * ({@code generateName} only) are not reported (counted as dropped, reason "unnamed").
 *
 * <p>Without a reachable cluster (or with {@code headstart.validation.reports.enabled=false}) the
 * writer does nothing: {@code submit} returns without queueing and no thread is started.
 */
@Singleton
public class PolicyReportWriter implements PolicyReportSink {

    private static final Logger LOG = Logger.getLogger(PolicyReportWriter.class);

    /** Explicit plural and scope, so no API discovery is needed to reach the custom resource. */
    public static final ResourceDefinitionContext POLICY_REPORTS = new ResourceDefinitionContext.Builder()
            .withGroup("wgpolicyk8s.io").withVersion("v1alpha2").withKind(PolicyReportModel.KIND)
            .withPlural("policyreports").withNamespaced(true).build();

    private final Instance<KubernetesClient> client;
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
    private final AtomicBoolean noCrdLogged = new AtomicBoolean();
    private final Counter failures;

    /** One report waiting to be written, with where its owner lives. */
    record Pending(String key, ObjectNode report, WorkloadKind kind, String namespace, String name, String uid,
            int attempts) {

        Pending retried() {
            return new Pending(key, report, kind, namespace, name, uid, attempts + 1);
        }
    }

    public PolicyReportWriter(ClusterAccess cluster, Instance<KubernetesClient> client, HeadstartConfig config,
            MeterRegistry registry) {
        HeadstartConfig.Validation.Reports settings = config.validation().reports();
        this.client = client;
        this.active = cluster.enabled() && settings.enabled();
        this.queue = new PendingReports<>(settings.queueCapacity(), System::nanoTime);
        this.batchSize = Math.max(1, settings.batchSize());
        this.maxAttempts = Math.max(1, settings.maxAttempts());
        this.initialBackoff = settings.initialBackoff();
        this.maxBackoff = settings.maxBackoff();
        this.written = Counter.builder("headstart.reports.written")
                .description("PolicyReports created or updated").register(registry);
        this.droppedFull = dropped(registry, "queue-full");
        this.droppedGaveUp = dropped(registry, "gave-up");
        this.droppedUnnamed = dropped(registry, "unnamed");
        this.droppedNoCrd = dropped(registry, "no-crd");
        this.failures = Counter.builder("headstart.reports.write.failures")
                .description("PolicyReport write attempts that failed (each is retried with backoff)")
                .register(registry);
        Gauge.builder("headstart.reports.queue", queue, PendingReports::size)
                .description("PolicyReports waiting to be written").register(registry);
    }

    private static Counter dropped(MeterRegistry registry, String reason) {
        return Counter.builder("headstart.reports.dropped")
                .description("PolicyReports never written: queue full (oldest dropped), retries exhausted, no name, CRD missing")
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

    @Override
    public void submit(Workload workload, List<RuleResult> results) {
        if (!active) {
            return;
        }
        String name = PolicyReportModel.resourceName(workload);
        if (name.isEmpty()) {
            // generateName only: the API server has not named it yet, so there is nothing to own the report.
            droppedUnnamed.increment();
            return;
        }
        String uid = workload.root().path("metadata").path("uid").asText("");
        ObjectNode report = PolicyReportModel.build(workload, results, Instant.now(), uid.isEmpty() ? null : uid);
        String key = workload.namespace() + '/' + workload.kind().kindName() + '/' + name;
        Pending pending = new Pending(key, report, workload.kind(), workload.namespace(), name,
                uid.isEmpty() ? null : uid, 0);
        if (queue.offer(key, pending)) {
            droppedFull.increment();
        }
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
                    write(pending);
                    written.increment();
                } catch (PolicyReportsNotServed e) {
                    // Retrying cannot help (CRD not installed, or the namespace is gone): drop.
                    if (e.namespaceGone) {
                        droppedGaveUp.increment();
                    } else {
                        droppedNoCrd.increment();
                    }
                    if (!e.namespaceGone && noCrdLogged.compareAndSet(false, true)) {
                        LOG.warn("PolicyReports are not served by this cluster (404): install "
                                + "manifests/crds/policyreports.wgpolicyk8s.io.yaml; reports are dropped until then");
                    }
                } catch (RuntimeException e) {
                    failures.increment();
                    retry(pending, e);
                }
            }
        }
    }

    private void retry(Pending pending, RuntimeException e) {
        int attempt = pending.attempts() + 1;
        if (attempt >= maxAttempts) {
            droppedGaveUp.increment();
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

    private void write(Pending pending) {
        KubernetesClient kube = client.get();
        ObjectNode report = pending.report();
        if (pending.uid() == null) {
            HasMetadata owner = kube.resources(typeOf(pending.kind())).inNamespace(pending.namespace())
                    .withName(pending.name()).get();
            if (owner == null || owner.getMetadata().getUid() == null) {
                throw new IllegalStateException(pending.kind().kindName() + " not found yet");
            }
            report = PolicyReportModel.withOwner(report.deepCopy(), owner.getMetadata().getUid());
        }
        GenericKubernetesResource resource = Json.MAPPER.convertValue(report, GenericKubernetesResource.class);
        try {
            kube.genericKubernetesResources(POLICY_REPORTS).inNamespace(pending.namespace()).resource(resource)
                    .createOr(NonDeletingOperation::update);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                boolean namespaceGone = e.getStatus() != null && e.getStatus().getDetails() != null
                        && "namespaces".equals(e.getStatus().getDetails().getKind());
                throw new PolicyReportsNotServed(namespaceGone);
            }
            throw e;
        }
        noCrdLogged.set(false);
    }

    /** A 404 on write: the CRD is not installed, or the report's namespace no longer exists. */
    private static final class PolicyReportsNotServed extends RuntimeException {
        final boolean namespaceGone;

        PolicyReportsNotServed(boolean namespaceGone) {
            super("policyreports.wgpolicyk8s.io not served", null, false, false);
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
