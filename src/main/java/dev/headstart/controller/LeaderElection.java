package dev.headstart.controller;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Leader election over a {@code Lease} with fabric8's {@code LeaderElector}. While this replica
 * holds the lease every {@link LeaderTask} runs; the moment it stops leading (renewal failed past
 * the renew deadline, or shutdown) they are all stopped. An elector that lost the lease joins the
 * election again as a standby, so a replica that was partitioned away can lead again later.
 *
 * <p>A plain object (client, settings, tasks, registry) so tests can run several against one API
 * server; {@link ControllerRole} wires it into the controller process.
 */
public final class LeaderElection {

    private static final Logger LOG = Logger.getLogger(LeaderElection.class);

    /** The Lease and its timing: lease duration &gt; renew deadline &gt; retry period. */
    public record Settings(String namespace, String leaseName, String identity, Duration leaseDuration,
            Duration renewDeadline, Duration retryPeriod) {
    }

    private final KubernetesClient client;
    private final Settings settings;
    private final Supplier<List<LeaderTask>> tasks;
    private final AtomicInteger leader = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean();
    private final ScheduledExecutorService rejoin;
    private volatile CompletableFuture<?> election;
    private volatile String currentLeader = "";

    public LeaderElection(KubernetesClient client, Settings settings, Supplier<List<LeaderTask>> tasks,
            MeterRegistry registry) {
        this.client = client;
        this.settings = settings;
        this.tasks = tasks;
        this.rejoin = DaemonScheduler.named("headstart-election-" + settings.identity());
        Gauge.builder("headstart.controller.leader", leader, AtomicInteger::get)
                .description("1 while this replica holds the controller lease")
                .tag("identity", settings.identity())
                .register(registry);
    }

    /** Joins the election; returns at once. */
    public void start() {
        if (running.compareAndSet(false, true)) {
            join();
        }
    }

    /** Leaves the election: stops every task and releases the lease so a standby takes over at once. */
    public void stop() {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        CompletableFuture<?> current = election;
        if (current != null) {
            current.cancel(true);
        }
        stopLeading();
        rejoin.shutdownNow();
    }

    public boolean isLeader() {
        return leader.get() == 1;
    }

    /** The identity in the Lease as last observed (empty before the first observation). */
    public String currentLeader() {
        return currentLeader;
    }

    private void join() {
        if (!running.get()) {
            return;
        }
        LeaderElectionConfig config = new LeaderElectionConfigBuilder()
                .withName(settings.leaseName())
                .withLock(new LeaseLock(settings.namespace(), settings.leaseName(), settings.identity()))
                .withLeaseDuration(settings.leaseDuration())
                .withRenewDeadline(settings.renewDeadline())
                .withRetryPeriod(settings.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(this::startLeading, this::stopLeading, this::newLeader))
                .build();
        CompletableFuture<?> started = client.leaderElector().withConfig(config).build().start();
        election = started;
        started.whenComplete((ignored, error) -> {
            stopLeading();
            if (!running.get()) {
                return;
            }
            // Lost the lease (or the API failed): stand by again after a retry period.
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            LOG.infof("leader election for %s ended%s; rejoining as standby", settings.leaseName(),
                    cause == null ? "" : " (" + cause + ")");
            try {
                rejoin.schedule(this::join, settings.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
            } catch (RuntimeException rejected) {
                // shutting down
            }
        });
    }

    private synchronized void startLeading() {
        if (!running.get() || leader.get() == 1) {
            return;
        }
        leader.set(1);
        LOG.infof("%s acquired lease %s/%s; starting controller tasks", settings.identity(), settings.namespace(),
                settings.leaseName());
        for (LeaderTask task : tasks.get()) {
            try {
                task.start();
            } catch (RuntimeException e) {
                LOG.errorf("leader task %s failed to start: %s", task.name(), e.toString());
            }
        }
    }

    private synchronized void stopLeading() {
        if (leader.getAndSet(0) == 0) {
            return;
        }
        LOG.infof("%s stopped leading %s/%s; stopping controller tasks", settings.identity(), settings.namespace(),
                settings.leaseName());
        for (LeaderTask task : tasks.get()) {
            try {
                task.stop();
            } catch (RuntimeException e) {
                LOG.errorf("leader task %s failed to stop: %s", task.name(), e.toString());
            }
        }
    }

    private void newLeader(String identity) {
        currentLeader = identity == null ? "" : identity;
        LOG.infof("controller leader is now %s", currentLeader);
    }
}
