package dev.headstart.config;

import dev.headstart.imagecache.CachePolicy;
import dev.headstart.rules.NamespaceAnnotations;
import dev.headstart.rules.PriorityClassCatalog;
import dev.headstart.rules.PriorityClassRule;
import dev.headstart.rules.PriorityClassSpec;
import dev.headstart.rules.PullPolicyMode;
import dev.headstart.rules.RuleSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one typed configuration of Headstart ({@code headstart.*}), shared by the webhook, the
 * controller and the CLI. Every key can also be set as an environment variable
 * ({@code HEADSTART_PULL_POLICY_MODE=all}).
 */
@ConfigMapping(prefix = "headstart")
public interface HeadstartConfig {

    /** webhook (the {@code serve} command) or controller (the {@code controller} command). */
    @WithDefault("webhook")
    String role();

    default boolean isController() {
        return "controller".equalsIgnoreCase(role().trim());
    }

    /** Rule names switched off everywhere. */
    Optional<List<String>> disabledRules();

    PriorityClass priorityClass();

    StartupProbe startupProbe();

    PullPolicy pullPolicy();

    ApiWait apiWait();

    Cluster cluster();

    Tls tls();

    WarmPool warmPool();

    ImageCache imageCache();

    Telemetry telemetry();

    /** Startup CPU boost: the cpu-boost rule (webhook) and the revert through pods/resize (controller). */
    CpuBoost cpuBoost();

    interface CpuBoost {
        /** Off by default; on, pods opt in by namespace label or pod annotation headstart.dev/cpu-boost=enabled. */
        @WithDefault("false")
        boolean enabled();

        /** remove, multiply or value: how a container's CPU limit is lifted. */
        @WithDefault("remove")
        String mode();

        /** The multiplier of mode multiply. */
        @WithDefault("4")
        String factor();

        /** The limit of mode value (a CPU quantity). */
        Optional<String> value();

        /** Boost under a ResourceQuota on limits.cpu, within what it has left (off: such namespaces are not boosted). */
        @WithDefault("false")
        boolean fitQuota();

        /** The longest a boost lasts: reverted then even when the pod is not Ready. */
        @WithDefault("5m")
        Duration maxDuration();

        /** How often discovery is asked again whether the API server serves pods/resize. */
        @WithDefault("10m")
        Duration resizeRecheck();

        /** First retry of a failed revert; doubled per attempt up to revert-max-backoff. */
        @WithDefault("1s")
        Duration revertInitialBackoff();

        @WithDefault("2m")
        Duration revertMaxBackoff();

        /** Attempts per pod before a revert is given up (an Event and a metric say so). */
        @WithDefault("8")
        int revertMaxAttempts();

        /**
         * Raise a container's CPU limit again (to what admission gave it) when it restarts after the
         * revert, and give it back once Ready; only for limits boosted to a value (multiply, value).
         */
        @WithDefault("false")
        boolean reboostAfterRestart();
    }

    /** The cpu-boost settings, or an IllegalArgumentException naming the key that is wrong. */
    default dev.headstart.rules.CpuBoostSettings cpuBoostSettings() {
        return dev.headstart.rules.CpuBoostSettings.parse(cpuBoost().enabled(), cpuBoost().mode(), cpuBoost().factor(),
                cpuBoost().value().orElse(null), cpuBoost().fitQuota(), cpuBoost().maxDuration());
    }

    /** The controller's startup metrics ({@code headstart_pod_startup_seconds} and the others). */
    interface Telemetry {
        /** Switch off the leader's pod, node and Pulled-event watches and the metrics they feed. */
        @WithDefault("true")
        boolean enabled();
    }

    /** Auto Scaling warm pools: the warm-up taint, lifecycle hooks and the AWS client. */
    interface WarmPool {
        @WithDefault("headstart.dev/warmup=true:NoSchedule")
        String taint();

        /** Switch the warm-pool reconciler off (it makes no AWS call unless a node carries the taint). */
        @WithDefault("true")
        boolean enabled();

        /**
         * The EC2_INSTANCE_LAUNCHING hook Headstart drives. Auto Scaling runs it twice per warm
         * instance (Warmed:Pending:Wait, then Pending:Wait) and once per cold launch (Pending:Wait);
         * Headstart completes it at each stage.
         */
        @WithDefault("headstart-warmup")
        String hookName();

        /** A second launching hook name Headstart drives the same way (both stages); usually unset. */
        Optional<String> launchHookName();

        /** Untainted nodes registered this recently are checked every pass (cold launches wait in Pending:Wait). */
        @WithDefault("900")
        int coldLaunchWindowSeconds();

        /** Every node with an EC2 instance is checked this often (instances returned to a warm pool); 0 = off. */
        @WithDefault("300")
        int sweepSeconds();

        /** AWS region; when unset the SDK's default region chain (env, profile, instance metadata). */
        Optional<String> region();

        /** Auto Scaling endpoint override (tests, VPC endpoints). */
        Optional<String> endpoint();

        /** How often a heartbeat extends the warm-up hook while the image cache fills. */
        @WithDefault("60")
        int heartbeatIntervalSeconds();

        /** After this long since registration the warm-up hook is completed even if the cache is not. */
        @WithDefault("600")
        int cacheBudgetSeconds();

        /** The periodic re-check of tainted nodes (node events trigger one too). */
        @WithDefault("15")
        int tickSeconds();

        /** Auto Scaling calls per second at most (DescribeAutoScalingInstances counts once per 50 ids). */
        @WithDefault("5")
        double awsCallsPerSecond();
    }

    /** The per-namespace image-cache DaemonSet. */
    interface ImageCache {
        @WithDefault("true")
        boolean enabled();

        /** Copies a static no-op binary ({@code /bin/true}) into the shared emptyDir. */
        @WithDefault("busybox:1.36.1-musl")
        String noopImage();

        /** Images never cached: exact references, or prefixes ending in {@code *}. */
        Optional<List<String>> exclude();

        /** Changes (workloads, nodes, cache pods) within this window are reconciled once. */
        @WithDefault("2000")
        int debounceMillis();

        /** At most this many cache pods per node; further groups leave the node out (reported). */
        @WithDefault(CachePolicy.DEFAULT_MAX_PODS_PER_NODE_TEXT)
        int maxPodsPerNode();

        /**
         * Registries the nodes pull from with their own credentials (ECR through the node role):
         * their images need no pull secret and go to the shared cache. {@code *} matches within a
         * host name label.
         */
        @WithDefault(CachePolicy.DEFAULT_NODE_CREDENTIAL_REGISTRIES_TEXT)
        List<String> nodeCredentialRegistries();

        /**
         * Taint keys placement ignores: they come and go on healthy nodes (a prefix ending in
         * {@code *}). The warm-up taint's key is always one of them.
         */
        @WithDefault(CachePolicy.DEFAULT_TRANSIENT_TAINT_KEYS_TEXT)
        List<String> transientTaintKeys();

        /** {@code pattern=arch[,arch];…}: images that run only on these {@code kubernetes.io/arch} values. */
        Optional<String> platforms();
    }

    // --- controller (leader election, headroom, background scan) ---
    Controller controller();

    Headroom headroom();

    Scan scan();

    /** The leader-elected controller sidecar. */
    interface Controller {
        /** The install namespace: the Lease, headroom objects and their ConfigMap live here. */
        @WithDefault("headstart-system")
        String namespace();

        @WithDefault("headstart-controller")
        String leaseName();

        /** This replica's name in the Lease; defaults to the HOSTNAME (the pod name). */
        Optional<String> identity();

        /** How long a lease stays valid without renewal; a standby takes over after it. */
        @WithDefault("15s")
        Duration leaseDuration();

        /** The leader gives up (and stops reconciling) when it cannot renew within this. */
        @WithDefault("10s")
        Duration renewDeadline();

        @WithDefault("2s")
        Duration retryPeriod();

        /** Objects per page of an informer's initial list ({@code limit}/{@code continue}). */
        @WithDefault("500")
        int listPageSize();
    }

    /** Pause pods of a negative priority that keep spare capacity warm. */
    interface Headroom {
        @WithDefault("true")
        boolean enabled();

        /** Name of the PriorityClass and of the Deployment. */
        @WithDefault("headstart-headroom")
        String name();

        /** Above the cluster autoscaler's expendable cutoff (-10), so placeholders still trigger scale-up. */
        @WithDefault("-1")
        int priority();

        @WithDefault("registry.k8s.io/pause:3.10")
        String image();

        /** Requests of one headroom pod: the unit of spare capacity. */
        @WithDefault("1")
        String cpu();

        @WithDefault("1Gi")
        String memory();

        /** Node selector of the headroom pods, so they land where workloads run. */
        Map<String, String> nodeSelector();

        /** Tolerations of the headroom pods, in taint syntax: key[=value]:Effect, or key[=value] for all effects. */
        Optional<List<String>> tolerations();

        /** The ConfigMap with the cluster-proportional-autoscaler parameters. */
        @WithDefault("headstart-headroom")
        String paramsConfigMap();

        @WithDefault("params")
        String paramsKey();

        /** Written into the ConfigMap when it does not exist (as CPA's --default-params). */
        @WithDefault("{\"linear\":{\"coresPerReplica\":64,\"nodesPerReplica\":8,\"min\":1,\"max\":0,\"preventSinglePointFailure\":false}}")
        String defaultParams();

        /** Count only nodes with these labels (label selector syntax: a=b,c=d). */
        Optional<String> nodeLabelSelector();

        /** Node and ConfigMap changes within this window cause one reconcile. */
        @WithDefault("2s")
        Duration debounce();

        @WithDefault("5m")
        Duration resync();

        /** A lower plan must hold this long before placeholders are removed (a flapping node churns nothing). */
        @WithDefault("5m")
        Duration scaleDownStabilization();

        /**
         * While a pool has mode buffer or auto: how often discovery is asked again whether the API
         * server serves CapacityBuffers, and the buffers' status conditions are read back.
         */
        @WithDefault("1m")
        Duration bufferRecheck();
    }

    /** The background scan: rules over existing Pods and DaemonSets in opted-in namespaces. */
    interface Scan {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("1h")
        Duration interval();

        /** The first scan after leadership is acquired. */
        @WithDefault("30s")
        Duration initialDelay();

        /** Objects per list call: the scan never holds more than one page in memory. */
        @WithDefault("250")
        int pageSize();

        /** Reports handed to the writer per second at most, so a scan spreads its writes. */
        @WithDefault("20")
        double reportsPerSecond();
    }

    // --- end controller ---

    interface PriorityClass {
        /** The class given to pods that have none. */
        @WithDefault("headstart-high")
        String name();

        /**
         * Its value when no cluster is reachable to read it from. 0: opted-in pods preempt only pods
         * below 0 (the headroom placeholders), never a running pod of another namespace.
         */
        @WithDefault("0")
        int value();

        /** Its preemption policy when no cluster is reachable to read it from. */
        @WithDefault("PreemptLowerPriority")
        String preemptionPolicy();

        /** Leave Job-owned pods (so CronJob pods), Jobs and CronJobs without Headstart's class. */
        @WithDefault("true")
        boolean excludeJobPods();
    }

    interface StartupProbe {
        @WithDefault("1")
        int periodSeconds();

        /**
         * The least startup budget (a floor, despite the name): a derived startup probe never kills
         * before this, nor before what the container's liveness probe allowed.
         */
        @WithDefault("300")
        int maxStartupSeconds();
    }

    interface PullPolicy {
        /** pinned, all or off. */
        @WithDefault("pinned")
        String mode();

        /**
         * Whether the AlwaysPullImages admission plugin is on: detect (a server-side dry-run pod),
         * present or absent. pull-policy changes nothing unless it is known to be absent.
         */
        @WithDefault("detect")
        String alwaysPullImages();

        /** How often detect probes again (an API server upgrade can switch the plugin on or off). */
        @WithDefault("10m")
        Duration alwaysPullImagesRecheck();
    }

    /** The api-wait rule: inert until both the DaemonSets and the image are named. */
    interface ApiWait {
        /** DaemonSets as namespace/name; none by default. */
        Optional<List<String>> daemonsets();

        /** The wait container's image (needs sh and nc), best from the nodes' own registry; none by default. */
        Optional<String> image();

        @WithDefault("120")
        int timeoutSeconds();

        @WithDefault("10m")
        String cpuRequest();

        @WithDefault("16Mi")
        String memoryRequest();

        @WithDefault("32Mi")
        String memoryLimit();

        /** A CPU limit too: a ResourceQuota on limits.cpu rejects pods whose containers set none. */
        @WithDefault("50m")
        String cpuLimit();
    }

    interface Cluster {
        /**
         * auto (use a cluster when in one, or when a kubeconfig or API server URL is configured),
         * true, or false (serve from configuration alone).
         */
        @WithDefault("auto")
        String enabled();
    }

    /** Validating mode ({@code /validate}) and the PolicyReports it writes. */
    Validation validation();

    interface Validation {
        /** audit (allow, warn, report) or enforce (deny); a namespace label headstart.dev/mode overrides it. */
        @WithDefault("audit")
        String mode();

        Reports reports();

        /** The background PolicyReport writer; it never runs on the admission path. */
        interface Reports {
            /** Write PolicyReports when a cluster is reachable. */
            @WithDefault("true")
            boolean enabled();

            /** Resources waiting to be written; when full, the oldest is dropped (and counted). */
            @WithDefault("1000")
            int queueCapacity();

            /** Reports written per pass of the worker. */
            @WithDefault("50")
            int batchSize();

            /** Attempts per report before it is given up (and counted). */
            @WithDefault("6")
            int maxAttempts();

            /** First retry delay; doubled per attempt up to max-backoff. */
            @WithDefault("200ms")
            java.time.Duration initialBackoff();

            @WithDefault("10s")
            java.time.Duration maxBackoff();

            /**
             * How long a verdict from admission waits before the writer checks that the object is
             * stored as reviewed (the API server stores it after every validating webhook answered).
             */
            @WithDefault("1s")
            java.time.Duration admissionDelay();

            /**
             * Which report API to write: auto (openreports.io/v1alpha1 when the cluster serves it,
             * else wgpolicyk8s.io/v1alpha2), wgpolicyk8s or openreports.
             */
            @WithDefault("auto")
            String api();

            /** With api=auto: how often discovery is asked again whether OpenReports is served. */
            @WithDefault("5m")
            java.time.Duration apiRecheck();
        }
    }

    /** The serving certificate and key (PEM); re-read when the files change. */
    interface Tls {
        @WithDefault("certs/tls.crt")
        String cert();

        @WithDefault("certs/tls.key")
        String key();

        /** How often the files are compared with what is served; a change is loaded one look after it settles. */
        @WithDefault("5s")
        Duration checkInterval();
    }

    /** The priority class as configured, for running without a cluster (the server without one, the CLI). */
    default PriorityClassCatalog configuredPriorityClass() {
        return PriorityClassCatalog.of(priorityClass().name(),
                new PriorityClassSpec(priorityClass().value(), priorityClass().preemptionPolicy()));
    }

    /** The priority-class rule as configured, over the given class catalog and namespace annotations. */
    default PriorityClassRule priorityClassRule(PriorityClassCatalog catalog, NamespaceAnnotations namespaces) {
        return new PriorityClassRule(priorityClass().name(), priorityClass().excludeJobPods(), catalog, namespaces);
    }

    /** The rules' view of this configuration. */
    default RuleSettings ruleSettings() {
        Set<String> disabled = new HashSet<>(disabledRules().orElse(List.of()));
        disabled.removeIf(String::isBlank);
        return new RuleSettings(
                Set.copyOf(disabled),
                priorityClass().name(),
                startupProbe().periodSeconds(),
                startupProbe().maxStartupSeconds(),
                PullPolicyMode.valueOf(pullPolicy().mode().trim().toUpperCase(java.util.Locale.ROOT)),
                apiWait().daemonsets().orElse(List.of()).stream().map(String::trim).filter(d -> !d.isEmpty())
                        .collect(java.util.stream.Collectors.toUnmodifiableSet()),
                apiWait().image().map(String::trim).orElse(""),
                apiWait().timeoutSeconds(),
                Map.of("cpu", apiWait().cpuRequest(), "memory", apiWait().memoryRequest()),
                apiWaitLimits(apiWait()));
    }

    /** The wait container's limits: those set (a blank value leaves that limit out). */
    private static Map<String, String> apiWaitLimits(ApiWait apiWait) {
        Map<String, String> limits = new java.util.TreeMap<>();
        if (!apiWait.cpuLimit().isBlank()) {
            limits.put("cpu", apiWait.cpuLimit().trim());
        }
        if (!apiWait.memoryLimit().isBlank()) {
            limits.put("memory", apiWait.memoryLimit().trim());
        }
        return Map.copyOf(limits);
    }
}
