package dev.headstart.controller.cpuboost;

import dev.headstart.cluster.ApiServed;

import dev.headstart.cluster.ClusterAccess;
import dev.headstart.cluster.ResizeDiscovery;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.controller.DaemonScheduler;
import dev.headstart.controller.LeaderTask;
import dev.headstart.controller.WarningEvent;
import dev.headstart.controller.informers.CachedKind;
import dev.headstart.controller.informers.ControllerKinds;
import dev.headstart.controller.informers.SharedInformers;
import dev.headstart.controller.informers.Subscription;
import dev.headstart.text.OneLine;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Gives boosted pods their CPU limits back while this replica leads: driven by the shared informer
 * of boosted pods ({@link ControllerKinds#BOOSTED_PODS}), each pod judged by {@link RevertPlan} from
 * the pod alone, so a new leader finishes what the old one left. The revert is a strategic-merge
 * PATCH of {@code pods/<name>/resize} with exactly the recorded limits. A failed PATCH is retried
 * with backoff up to {@code revert-max-attempts}; a refused one (400/422: the API server will never
 * take it) and a pod whose record cannot be read are given up at once; a pod that is gone (404) is
 * forgotten. Each failure counts in {@code headstart_cpu_boost_revert_failures_total}; the first
 * failure and the giving up are Warning Events on the pod.
 */
/* Found by type (LeaderTask) by the leader election, never injected by name. */
@Unremovable
@Singleton
public class CpuBoostReverter implements LeaderTask {

    private static final Logger LOG = Logger.getLogger(CpuBoostReverter.class);
    static final String FAILED_REASON = "CpuBoostRevertFailed";
    private static final Duration NOT_SERVED_RETRY = Duration.ofMinutes(1);

    private final Supplier<KubernetesClient> client;
    private final SharedInformers informers;
    private final CachedKind<Pod> kind;
    private final ResizeDiscovery discovery;
    private final CpuBoostMetrics metrics;
    private final Clock clock;
    private final boolean active;
    private final Duration maxDuration;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final int maxAttempts;
    private final boolean reboost;

    /** Per pod key: attempts so far and the pending wake-up (only while leading). */
    private final Map<String, Attempts> attempts = new ConcurrentHashMap<>();
    private final Map<String, ScheduledFuture<?>> wakeups = new ConcurrentHashMap<>();
    /**
     * Pod uids this leader is done with: {@link #FOR_GOOD} (given up), else the step last completed
     * ({@code ACTION/restarts}), so a stale informer copy does not send it twice while a restart
     * (a re-boost) still can.
     */
    private final Map<String, String> settled = new ConcurrentHashMap<>();
    private static final String FOR_GOOD = "*";
    private volatile ScheduledExecutorService worker;
    private volatile Subscription<Pod> pods;

    private record Attempts(int count, boolean evented) {
    }

    @Inject
    public CpuBoostReverter(HeadstartConfig config, ClusterAccess cluster, Instance<KubernetesClient> client,
            SharedInformers informers, ResizeDiscovery discovery, MeterRegistry registry) {
        this((Supplier<KubernetesClient>) client::get, informers, ControllerKinds.BOOSTED_PODS, discovery, registry,
                Clock.systemUTC(), config.isController() && cluster.enabled() && config.cpuBoost().enabled(),
                config.cpuBoost().maxDuration(), config.cpuBoost().revertInitialBackoff(),
                config.cpuBoost().revertMaxBackoff(), config.cpuBoost().revertMaxAttempts(),
                config.cpuBoost().reboostAfterRestart());
    }

    CpuBoostReverter(Supplier<KubernetesClient> client, SharedInformers informers, CachedKind<Pod> kind,
            ResizeDiscovery discovery, MeterRegistry registry, Clock clock, boolean active, Duration maxDuration,
            Duration initialBackoff, Duration maxBackoff, int maxAttempts) {
        this(client, informers, kind, discovery, registry, clock, active, maxDuration, initialBackoff, maxBackoff,
                maxAttempts, false);
    }

    CpuBoostReverter(Supplier<KubernetesClient> client, SharedInformers informers, CachedKind<Pod> kind,
            ResizeDiscovery discovery, MeterRegistry registry, Clock clock, boolean active, Duration maxDuration,
            Duration initialBackoff, Duration maxBackoff, int maxAttempts, boolean reboost) {
        this.reboost = reboost;
        this.client = client;
        this.informers = informers;
        this.kind = kind;
        this.discovery = discovery;
        this.metrics = active ? new CpuBoostMetrics(registry) : null;
        this.clock = clock;
        this.active = active;
        this.maxDuration = maxDuration;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.maxAttempts = Math.max(1, maxAttempts);
    }

    @Override
    public String name() {
        return "cpu-boost-revert";
    }

    @Override
    public synchronized void start() {
        if (!active || pods != null) {
            return;
        }
        worker = DaemonScheduler.named("headstart-cpu-boost-revert");
        pods = informers.subscribe(kind, new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                soon(key(pod));
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                soon(key(after));
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                forget(key(pod), pod.getMetadata().getUid());
            }
        });
    }

    @Override
    public synchronized void stop() {
        if (pods != null) {
            pods.close();
            pods = null;
        }
        if (worker != null) {
            worker.shutdownNow();
            worker = null;
        }
        wakeups.clear();
        attempts.clear();
        settled.clear();
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    private void soon(String key) {
        at(key, Duration.ZERO);
    }

    /** Not synchronized: informer handlers call it while {@link #start} may still hold the task's lock. */
    private void at(String key, Duration delay) {
        ScheduledExecutorService current = worker;
        if (current == null) {
            return;
        }
        ScheduledFuture<?> next;
        try {
            next = current.schedule(() -> process(key), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            return; // leadership lost meanwhile
        }
        ScheduledFuture<?> previous = wakeups.put(key, next);
        if (previous != null) {
            previous.cancel(false);
        }
    }

    private void forget(String key, String uid) {
        ScheduledFuture<?> pending = wakeups.remove(key);
        if (pending != null) {
            pending.cancel(false);
        }
        attempts.remove(key);
        if (uid != null) {
            settled.remove(uid);
        }
    }

    /** One look at one pod, on the worker thread. */
    void process(String key) {
        try {
            look(key);
        } catch (RuntimeException e) {
            LOG.warnf("cpu-boost: %s: %s", key, OneLine.of(e));
        }
    }

    private void look(String key) {
        Subscription<Pod> current = pods;
        if (current == null) {
            return;
        }
        Pod pod = current.get(key);
        if (pod == null) {
            forget(key, null);
            return;
        }
        String uid = pod.getMetadata().getUid();
        String done = uid == null ? null : settled.get(uid);
        if (FOR_GOOD.equals(done)) {
            return;
        }
        Instant now = clock.instant();
        RevertPlan plan = RevertPlan.of(pod, now, maxDuration, reboost);
        if (done != null && done.equals(step(plan, pod))) {
            return; // sent already; the informer has not caught up
        }
        switch (plan.action()) {
            case DONE -> forget(key, null);
            case WAIT -> at(key, Duration.between(now, plan.wakeAt()).plusMillis(50));
            case IMPOSSIBLE -> {
                settle(uid);
                metrics.failed("unreadable");
                event(pod, "boosted CPU limits not given back: " + plan.trigger());
                LOG.warnf("cpu-boost: %s: not reverted: %s", key, plan.trigger());
            }
            case REVERT, REBOOST -> revert(key, pod, plan, now);
        }
    }

    /** The step a plan is, for {@link #settled}: its action and the restarts so far. */
    private static String step(RevertPlan plan, Pod pod) {
        int restarts = 0;
        if (pod.getStatus() != null) {
            for (var list : java.util.Arrays.asList(pod.getStatus().getContainerStatuses(),
                    pod.getStatus().getInitContainerStatuses())) {
                if (list != null) {
                    for (var status : list) {
                        restarts += status == null || status.getRestartCount() == null ? 0 : status.getRestartCount();
                    }
                }
            }
        }
        return plan.action() + "/" + restarts;
    }

    private void revert(String key, Pod pod, RevertPlan plan, Instant now) {
        if (discovery.state() != ApiServed.SERVED) {
            at(key, NOT_SERVED_RETRY); // discovery is asked again on its own schedule
            return;
        }
        int code;
        String answer;
        try {
            HttpResponse<String> response = patchResize(pod, plan.body());
            code = response.code();
            answer = response.body();
        } catch (RuntimeException e) {
            code = 0;
            answer = OneLine.of(e);
        }
        String uid = pod.getMetadata().getUid();
        boolean again = plan.action() == RevertPlan.Action.REBOOST;
        if (code >= 200 && code < 300) {
            if (uid != null) {
                settled.put(uid, step(plan, pod));
            }
            attempts.remove(key);
            if (again) {
                metrics.reboosted();
                LOG.debugf("cpu-boost: %s: CPU limits raised again after a restart", key);
                at(key, maxDuration); // the re-boost's own max-duration: look again then at the latest
            } else {
                metrics.reverted(plan.trigger(), plan.since() == null ? null : Duration.between(plan.since(), now));
                LOG.debugf("cpu-boost: %s: CPU limits given back (%s)", key, plan.trigger());
            }
            return;
        }
        if (code == 404) {
            forget(key, uid); // the pod is gone
            return;
        }
        String why = code == 0 ? answer : "HTTP " + code + ": " + message(answer).replaceAll("\\s+", " ");
        if (code == 400 || code == 422) {
            settle(uid);
            metrics.failed("refused");
            event(pod, "the API server refused to " + (again ? "raise the CPU limits again after a restart"
                    : "give the boosted CPU limits back") + " (" + why + "); not retried");
            LOG.warnf("cpu-boost: %s: revert refused: %s", key, why);
            return;
        }
        metrics.failed("error");
        Attempts before = attempts.getOrDefault(key, new Attempts(0, false));
        Attempts now1 = new Attempts(before.count() + 1, true);
        if (now1.count() >= maxAttempts) {
            settle(uid);
            attempts.remove(key);
            metrics.failed("gave_up");
            event(pod, (again ? "CPU limits not raised again" : "boosted CPU limits not given back") + " after "
                    + now1.count() + " attempts (" + why + "); given up");
            LOG.warnf("cpu-boost: %s: revert given up after %d attempts: %s", key, now1.count(), why);
            return;
        }
        attempts.put(key, now1);
        if (!before.evented()) {
            event(pod, (again ? "raising the CPU limits again" : "giving the boosted CPU limits back") + " failed ("
                    + why + "); retrying");
        }
        at(key, backoff(now1.count()));
    }

    Duration backoff(int attempt) {
        long millis = initialBackoff.toMillis() << Math.min(attempt - 1, 20);
        return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
    }

    private void settle(String uid) {
        if (uid != null) {
            settled.put(uid, FOR_GOOD);
        }
    }

    /** PATCH /api/v1/namespaces/{ns}/pods/{name}/resize, strategic merge (fabric8 has no resize DSL). */
    private HttpResponse<String> patchResize(Pod pod, String body) {
        KubernetesClient c = client.get();
        String base = c.getMasterUrl().toString();
        String url = (base.endsWith("/") ? base : base + "/") + "api/v1/namespaces/" + pod.getMetadata().getNamespace()
                + "/pods/" + pod.getMetadata().getName() + "/resize";
        HttpRequest request = c.getHttpClient().newHttpRequestBuilder().uri(url)
                .method("PATCH", "application/strategic-merge-patch+json", body).build();
        try {
            return c.getHttpClient().sendAsync(request, String.class).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e.getCause() == null ? e.toString() : OneLine.of(e.getCause()), e);
        }
    }

    /** The Status message of an error answer, or the start of the body. */
    private static String message(String answer) {
        if (answer == null) {
            return "";
        }
        try {
            var node = dev.headstart.json.Json.MAPPER.readTree(answer);
            if (node.path("message").isTextual()) {
                return node.path("message").asText();
            }
        } catch (Exception e) {
            // not JSON
        }
        return answer.length() > 200 ? answer.substring(0, 200) : answer;
    }

    private void event(Pod pod, String message) {
        WarningEvent.record(client.get(), pod.getMetadata().getNamespace(), WarningEvent.about("Pod", pod.getMetadata()),
                FAILED_REASON, message, clock.instant());
    }
}
