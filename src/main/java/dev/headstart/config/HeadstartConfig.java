package dev.headstart.config;

import dev.headstart.rules.PullPolicyMode;
import dev.headstart.rules.RuleSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

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

    /** Auto Scaling warm pools: the warm-up taint, lifecycle hooks and the AWS client. */
    interface WarmPool {
        @WithDefault("headstart.dev/warmup=true:NoSchedule")
        String taint();

        /** Switch the warm-pool reconciler off (it makes no AWS call unless a node carries the taint). */
        @WithDefault("true")
        boolean enabled();

        /** The hook on the warm-pool launch (instance entering Warmed:Pending:Wait). */
        @WithDefault("headstart-warmup")
        String hookName();

        /** The hook on the launch out of the pool (Pending:Wait); when unset Headstart does not complete it. */
        Optional<String> launchHookName();

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
    }

    /** The per-namespace image-cache DaemonSet. */
    interface ImageCache {
        @WithDefault("true")
        boolean enabled();

        /** Copies a static no-op binary ({@code /bin/true}) into the shared emptyDir. */
        @WithDefault("busybox:1.36.1-musl")
        String noopImage();

        @WithDefault("registry.k8s.io/pause:3.10")
        String pauseImage();

        /** Images never cached: exact references, or prefixes ending in {@code *}. */
        Optional<List<String>> exclude();

        /** Workload events for a namespace within this window are reconciled once. */
        @WithDefault("2000")
        int debounceMillis();
    }

    interface PriorityClass {
        /** The class given to pods that have none. */
        @WithDefault("headstart-high")
        String name();

        /** Its value when no cluster is reachable to read it from. */
        @WithDefault("1000000")
        int value();

        /** Its preemption policy when no cluster is reachable to read it from. */
        @WithDefault("PreemptLowerPriority")
        String preemptionPolicy();
    }

    interface StartupProbe {
        @WithDefault("1")
        int periodSeconds();

        /** The startup budget: failureThreshold = ceil(max-startup-seconds / period-seconds). */
        @WithDefault("300")
        int maxStartupSeconds();
    }

    interface PullPolicy {
        /** pinned, all or off. */
        @WithDefault("pinned")
        String mode();
    }

    interface ApiWait {
        /** DaemonSets as namespace/name. */
        @WithDefault("kube-system/aws-node")
        List<String> daemonsets();

        @WithDefault("busybox:1.36.1")
        String image();

        @WithDefault("120")
        int timeoutSeconds();

        @WithDefault("10m")
        String cpuRequest();

        @WithDefault("16Mi")
        String memoryRequest();

        @WithDefault("32Mi")
        String memoryLimit();
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
            @WithDefault("PT0.2S")
            java.time.Duration initialBackoff();

            @WithDefault("PT10S")
            java.time.Duration maxBackoff();
        }
    }

    /** The serving certificate and key (PEM); re-read when the files change. */
    interface Tls {
        @WithDefault("certs/tls.crt")
        String cert();

        @WithDefault("certs/tls.key")
        String key();
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
                Set.copyOf(apiWait().daemonsets()),
                apiWait().image(),
                apiWait().timeoutSeconds(),
                Map.of("cpu", apiWait().cpuRequest(), "memory", apiWait().memoryRequest()),
                apiWait().memoryLimit().isBlank() ? Map.of() : Map.of("memory", apiWait().memoryLimit()));
    }
}
