package dev.headstart.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.config.ConfigLoader;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.controller.headroom.ClusterSize;
import dev.headstart.controller.headroom.HeadroomParams;
import dev.headstart.controller.headroom.HeadroomPlan;
import dev.headstart.controller.headroom.HeadroomPool;
import dev.headstart.controller.headroom.HeadroomReconciler;
import dev.headstart.controller.headroom.HeadroomSchedule;
import dev.headstart.controller.headroom.ZoneSpread;
import io.fabric8.kubernetes.api.model.Node;
import dev.headstart.controller.headroom.HeadroomSettings;
import dev.headstart.controller.headroom.InvalidHeadroomParamsException;
import dev.headstart.controller.headroom.NodeCensus;
import dev.headstart.json.Json;
import dev.headstart.text.OneLine;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Config;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@code headstart headroom ...}: the headroom sizing, offline or against a live cluster. */
@Command(name = "headroom", mixinStandardHelpOptions = true,
        description = "Headroom (pause pods that keep spare capacity warm).",
        subcommands = {HeadroomCommand.Plan.class})
public class HeadroomCommand {

    /** {@code headstart headroom plan}: how many headroom pods a cluster gets, and why. */
    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = {"Prints how many headroom pods the controller would run.",
                    "With --nodes and --cores it needs no cluster; without both it counts the nodes of the cluster "
                            + "in the current kubeconfig exactly as the controller does, waiting at most --timeout."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:planned", "1:the cluster could not be read (unreachable, no answer within --timeout, "
                    + "forbidden)", "2:usage or input error (bad params, --nodes without --cores, ...)"})
    public static class Plan implements Callable<Integer> {

        private static final io.fabric8.kubernetes.client.utils.KubernetesSerialization KUBERNETES =
                new io.fabric8.kubernetes.client.utils.KubernetesSerialization();

        @Spec
        CommandSpec spec;

        @Option(names = "--nodes", description = "Nodes that count (schedulable, Ready, not warming).")
        Integer nodes;

        @Option(names = "--cores", description = "Their allocatable CPU cores, summed.")
        Long cores;

        @Option(names = "--params", description = "Parameters as JSON: {\"linear\": {...}} or {\"ladder\": {...}}.")
        String params;

        @Option(names = "--params-file", description = "Read the parameters from this file.")
        Path paramsFile;

        @Option(names = {"-f", "--filename"}, paramLabel = "FILE|-",
                description = "Count the nodes of a kubectl dump (kubectl get nodes -o yaml; JSON or YAML, a List or "
                        + "documents, a file, a directory, or - for standard input) instead of the live cluster.")
        String dump;

        @Option(names = "--at", paramLabel = "TIME",
                description = "Plan as at this instant, for schedule windows (ISO-8601 with offset, e.g. "
                        + "2026-12-07T09:30:00+01:00; default now).")
        String at;

        /** Standard input for -f -; tests replace it. */
        java.io.InputStream stdin = System.in;

        @Option(names = "--timeout", paramLabel = "<seconds>", defaultValue = "10",
                description = "How long to wait for the cluster before giving up (default ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Option(names = {"-o", "--output"}, description = "text (default) or json (one JSON object, last line).",
                defaultValue = "text")
        String output;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!output.equals("text") && !output.equals("json")) {
                err.println("headstart: -o must be text or json");
                return 2;
            }
            if (nodes != null && nodes < 0 || cores != null && cores < 0) {
                err.println("headstart: --nodes and --cores must not be negative");
                return 2;
            }
            if ((nodes == null) != (cores == null)) {
                // Neither derives from the other (cores per node differ by instance type), and
                // planning for 0 would print a plan that is silently wrong.
                err.println("headstart: " + (nodes == null ? "--cores needs --nodes" : "--nodes needs --cores")
                        + " too: give both to plan offline, or neither to count the cluster's nodes");
                return 2;
            }
            if (timeoutSeconds <= 0) {
                err.println("headstart: --timeout must be at least 1 second");
                return 2;
            }
            java.time.Instant instant;
            try {
                instant = at == null ? java.time.Instant.now() : java.time.OffsetDateTime.parse(at).toInstant();
            } catch (java.time.format.DateTimeParseException e) {
                err.println("headstart: --at must be an ISO-8601 time with an offset, like 2026-12-07T09:30:00+01:00, not '"
                        + at + "'");
                return 2;
            }
            if (dump != null && nodes != null) {
                err.println("headstart: give -f or --nodes/--cores, not both");
                return 2;
            }
            if (params != null && paramsFile != null) {
                err.println("headstart: give --params or --params-file, not both");
                return 2;
            }
            HeadstartConfig config;
            HeadroomSettings settings;
            try {
                config = ConfigLoader.load();
                settings = HeadroomSettings.from(config);
            } catch (RuntimeException e) {
                err.println("headstart: invalid configuration: " + OneLine.of(e));
                return 2;
            }
            String text;
            try {
                text = params != null ? params : paramsFile != null ? Files.readString(paramsFile) : null;
            } catch (IOException e) {
                err.println("headstart: cannot read " + paramsFile + ": " + OneLine.of(e));
                return 2;
            }
            boolean offline = nodes != null;
            String source = params != null ? "--params" : paramsFile != null ? paramsFile.toString() : null;
            ClusterSize size;
            NodeCensus.Tally tally = null;
            if (offline) {
                size = ClusterSize.ofCores(nodes, cores);
            } else if (dump != null) {
                java.util.List<Node> read = new java.util.ArrayList<>();
                try {
                    ManifestReader reader = new ManifestReader(dump, stdin,
                            ManifestReader.parseSize(ManifestReader.DEFAULT_MAX_DOCUMENT_SIZE));
                    reader.each(object -> {
                        if ("Node".equals(object.path("kind").asText())) {
                            read.add(KUBERNETES.convertValue(object, Node.class));
                        }
                    });
                    reader.tally().report(err);
                } catch (InputException e) {
                    return RuleOptions.inputError(err, e.getMessage());
                }
                if (read.isEmpty()) {
                    err.println("headstart: " + dump + " holds no Node (dump them with kubectl get nodes -o yaml)");
                    return 2;
                }
                clusterNodes = read;
                tally = settings.census().count(read);
                size = null;
            } else {
                Config clientConfig = boundedConfig();
                err.println("headstart: reading nodes" + (text == null ? " and the params ConfigMap" : "")
                        + " from " + clientConfig.getMasterUrl() + contextOf(clientConfig)
                        + ", waiting at most " + timeoutSeconds + " s (--timeout; --nodes and --cores plan offline)");
                err.flush();
                ClusterRead read;
                try (KubernetesClient client = new KubernetesClientBuilder().withConfig(clientConfig).build()) {
                    String known = text;
                    CompletableFuture<ClusterRead> reading = CompletableFuture.supplyAsync(() -> readCluster(client, settings, known));
                    read = reading.get(timeoutSeconds, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    err.println("headstart: no answer from " + clientConfig.getMasterUrl() + " within " + timeoutSeconds
                            + " s (give --nodes and --cores to plan offline)");
                    return 1;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    err.println("headstart: cannot read the cluster at " + clientConfig.getMasterUrl()
                            + " (give --nodes and --cores to plan offline): "
                            + OneLine.of(cause));
                    return 1;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 1;
                }
                tally = read.tally();
                clusterNodes = read.nodes();
                bufferApi = read.bufferApi();
                workloads = read.workloads();
                accepted = read.accepted();
                live = true;
                if (read.params() != null) {
                    text = read.params();
                    source = "ConfigMap " + settings.namespace() + "/" + settings.paramsConfigMap();
                }
                size = null;
            }
            if (text == null) {
                text = settings.defaultParams();
                source = "default (headstart.headroom.default-params)";
            }
            HeadroomPool.Parsed pools;
            try {
                pools = HeadroomPool.parseAll(text, settings);
            } catch (InvalidHeadroomParamsException e) {
                err.println("headstart: invalid headroom params: " + e.getMessage());
                return 2;
            }
            if (pools.poolsForm()) {
                return printPools(out, err, pools, source, offline ? null : read(tally), size, settings, instant);
            }
            HeadroomParams parsed;
            try {
                parsed = HeadroomParams.parse(text);
            } catch (InvalidHeadroomParamsException e) {
                err.println("headstart: invalid headroom params: " + e.getMessage());
                return 2;
            }
            if (size == null) {
                size = tally.size(parsed.includeUnschedulableNodes());
            }
            HeadroomPlan plan = HeadroomPlan.of(size, parsed);
            out.println("params:     " + source);
            out.println(plan.describe());
            if (output.equals("json")) {
                ObjectNode json = Json.MAPPER.createObjectNode();
                json.put("replicas", plan.replicas());
                json.put("nodes", plan.nodes());
                json.put("cores", plan.cores());
                json.put("mode", plan.mode());
                json.put("fromCores", plan.fromCores());
                json.put("fromNodes", plan.fromNodes());
                json.put("source", offline ? "arguments" : dump != null ? "dump" : "cluster");
                out.println(json);
            }
            out.flush();
            return 0;
        }

        /**
         * What was read from the cluster: the node tally, the params ConfigMap's text if asked for and
         * there, the served CapacityBuffer version (null: not served), the pools' shapeFrom workloads.
         */
        private record ClusterRead(NodeCensus.Tally tally, String params, java.util.List<Node> nodes, String bufferApi,
                java.util.Map<HeadroomPool.WorkloadRef, java.util.Optional<io.fabric8.kubernetes.api.model.PodSpec>> workloads,
                java.util.Map<String, Boolean> accepted) {
        }

        /** Live mode: what discovery said of CapacityBuffers, and the shapeFrom workloads as read. */
        private boolean live;
        private String bufferApi;
        /** By pool: whether the autoscaler has accepted every CapacityBuffer Headstart keeps for it. */
        private java.util.Map<String, Boolean> accepted = java.util.Map.of();
        private java.util.Map<HeadroomPool.WorkloadRef, java.util.Optional<io.fabric8.kubernetes.api.model.PodSpec>> workloads =
                java.util.Map.of();

        private java.util.List<Node> read(NodeCensus.Tally ignored) {
            return clusterNodes;
        }

        /** The nodes read from the cluster (live mode), for the pools' own censuses. */
        private java.util.List<Node> clusterNodes = java.util.List.of();

        /**
         * Every pool: its census, plan and zone split, as the controller computes them (without the
         * scale-down stabilisation, which depends on history). With --nodes/--cores every pool is
         * sized from those numbers and nothing is spread (no node labels to read).
         */
        private int printPools(PrintWriter out, PrintWriter err, HeadroomPool.Parsed parsed, String source,
                java.util.List<Node> nodes, ClusterSize offlineSize, HeadroomSettings settings, java.time.Instant at) {
            parsed.errors().forEach((pool, message) -> err.println("headstart: invalid headroom pool " + pool + ": " + message));
            if (!parsed.errors().isEmpty()) {
                return 2;
            }
            out.println("params:     " + source);
            com.fasterxml.jackson.databind.node.ArrayNode list = Json.MAPPER.createArrayNode();
            for (HeadroomPool declared : parsed.pools().values()) {
                HeadroomPool pool = declared;
                if (declared.shapeFrom() != null) {
                    java.util.Optional<io.fabric8.kubernetes.api.model.PodSpec> spec =
                            workloads.getOrDefault(declared.shapeFrom(), java.util.Optional.empty());
                    java.util.Map<String, io.fabric8.kubernetes.api.model.Quantity> shape =
                            spec.map(HeadroomPool::shapeOf).orElse(java.util.Map.of());
                    if (shape.containsKey("cpu")) {
                        pool = declared.withShape(shape);
                    } else if (declared.shape().isEmpty()) {
                        if (declared.sizing() instanceof HeadroomParams.Percentage) {
                            err.println("headstart: pool " + declared.name() + ": percentage needs the shape of shapeFrom "
                                    + declared.shapeFrom() + ", " + (live ? "which does not exist or requests no CPU"
                                    : "which only the live cluster has") + " (give the pool a shape to fall back to)");
                            return 2;
                        }
                        err.println("headstart: pool " + declared.name() + ": shapeFrom " + declared.shapeFrom()
                                + (live ? " does not exist or requests no CPU: the controller leaves this pool as it is"
                                : " is read only from the live cluster; its size does not depend on it"));
                    } else if (live) {
                        err.println("headstart: pool " + declared.name() + ": shapeFrom " + declared.shapeFrom()
                                + " does not exist or requests no CPU: planned with the pool's own shape");
                    }
                }
                String mode = mode(declared, err);
                HeadroomPlan plan;
                java.util.Map<String, Integer> zones = java.util.Map.of();
                HeadroomSchedule.Active active;
                if (nodes == null) {
                    plan = HeadroomPlan.of(offlineSize, pool.sizing(), pool.shapeMilliCpu());
                    active = HeadroomSchedule.apply(plan.replicas(), pool.schedules(), at);
                } else {
                    NodeCensus census = pool.census(settings.warmupTaint());
                    java.util.List<Node> counted = nodes.stream().filter(census::counts).toList();
                    plan = HeadroomPlan.of(census.count(counted).size(pool.sizing().includeUnschedulableNodes()),
                            pool.sizing(), pool.shapeMilliCpu());
                    active = HeadroomSchedule.apply(plan.replicas(), pool.schedules(), at);
                    if (pool.spread()) {
                        // As the reconciler: a window that replaces the plan sets the total exactly.
                        boolean replaces = pool.schedules().stream()
                                .anyMatch(w -> w.name().equals(active.window()) && w.replaces());
                        zones = ZoneSpread.distribute(active.replicas(), HeadroomReconciler.zonesOf(counted),
                                replaces ? 0 : pool.minPerZone());
                    }
                }
                int replicas = zones.isEmpty() ? active.replicas() : zones.values().stream().mapToInt(Integer::intValue).sum();
                out.println();
                out.println("pool:       " + pool.name());
                out.println("holds:      " + mode);
                out.println(plan.describe().replaceFirst("replicas:   \\d+", "replicas:   " + replicas)
                        + (zones.isEmpty() ? "" : "\nzones:      " + zones)
                        + "\nwindow:     " + (active.window() == null ? "none" : active.window()));
                ObjectNode json = list.addObject();
                json.put("name", pool.name());
                json.put("mode", mode);
                json.put("nodes", plan.nodes());
                json.put("cores", plan.cores());
                json.put("replicas", replicas);
                ObjectNode z = json.putObject("zones");
                zones.forEach(z::put);
                if (active.window() == null) {
                    json.putNull("window");
                } else {
                    json.put("window", active.window());
                }
            }
            if (output.equals("json")) {
                ObjectNode json = Json.MAPPER.createObjectNode();
                json.set("pools", list);
                out.println(json);
            }
            out.flush();
            return 0;
        }

        private static ClusterRead readCluster(KubernetesClient client, HeadroomSettings settings, String knownParams) {
            java.util.List<Node> nodes = client.nodes().list().getItems();
            NodeCensus.Tally tally = settings.census().count(nodes);
            String params = null;
            if (knownParams == null) {
                ConfigMap configMap = client.configMaps().inNamespace(settings.namespace())
                        .withName(settings.paramsConfigMap()).get();
                if (configMap != null && configMap.getData() != null) {
                    params = configMap.getData().get(settings.paramsKey());
                }
            }
            // What the controller would look up besides nodes: discovery for buffer/auto pools, shapeFrom workloads.
            String bufferApi = null;
            java.util.Map<HeadroomPool.WorkloadRef, java.util.Optional<io.fabric8.kubernetes.api.model.PodSpec>> workloads =
                    new java.util.HashMap<>();
            String text = knownParams != null ? knownParams : params;
            java.util.Collection<HeadroomPool> pools;
            try {
                pools = text == null ? java.util.List.of() : HeadroomPool.parseAll(text, settings).pools().values();
            } catch (InvalidHeadroomParamsException e) {
                pools = java.util.List.of(); // reported once parsed again by the caller
            }
            if (pools.stream().anyMatch(p -> p.mode() != HeadroomPool.Mode.PAUSE_PODS)) {
                bufferApi = dev.headstart.controller.headroom.CapacityBufferApi.served(client);
            }
            for (HeadroomPool pool : pools) {
                if (pool.shapeFrom() != null) {
                    workloads.put(pool.shapeFrom(), HeadroomPool.readWorkload(client, pool.shapeFrom()));
                }
            }
            java.util.Map<String, Boolean> accepted = new java.util.HashMap<>();
            if (bufferApi != null) {
                var context = new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder()
                        .withGroup(dev.headstart.controller.headroom.CapacityBufferApi.GROUP)
                        .withVersion(bufferApi.substring(bufferApi.indexOf('/') + 1)).withKind("CapacityBuffer")
                        .withPlural(dev.headstart.controller.headroom.CapacityBufferApi.RESOURCE).withNamespaced(true).build();
                for (var buffer : client.genericKubernetesResources(context).inNamespace(settings.namespace())
                        .withLabel(dev.headstart.controller.headroom.HeadroomObjects.MANAGED_BY_LABEL, "headstart")
                        .list().getItems()) {
                    String pool = buffer.getMetadata().getLabels().get(dev.headstart.controller.headroom.HeadroomObjects.POOL_LABEL);
                    if (pool != null) {
                        boolean ready = dev.headstart.controller.headroom.CapacityBufferStatus.of(buffer).ready() == 1;
                        accepted.merge(pool, ready, Boolean::logicalAnd);
                    }
                }
            }
            return new ClusterRead(tally, params, nodes, bufferApi, workloads, accepted);
        }

        /**
         * What the pool holds its headroom with: {@code buffer} for mode buffer, and for mode auto when
         * the live cluster serves CapacityBuffers; offline, auto is planned as pause pods (only discovery
         * can tell).
         */
        private String mode(HeadroomPool pool, PrintWriter err) {
            return switch (pool.mode()) {
                case PAUSE_PODS -> "pause-pods";
                case BUFFER -> {
                    if (live && bufferApi == null) {
                        err.println("headstart: pool " + pool.name() + ": mode buffer, but the cluster does not serve"
                                + " capacitybuffers.autoscaling.x-k8s.io: the controller leaves this pool as it is");
                    }
                    yield "buffer";
                }
                case AUTO -> {
                    if (!live) {
                        err.println("headstart: pool " + pool.name() + ": mode auto planned as pause pods (only the live"
                                + " cluster's discovery says whether it serves CapacityBuffers)");
                        yield "pause-pods";
                    }
                    if (bufferApi == null) {
                        yield "pause-pods";
                    }
                    if (!accepted.getOrDefault(pool.name(), false)) {
                        // As the controller: the pause pods stay until the autoscaler accepts the buffer.
                        err.println("headstart: pool " + pool.name() + ": mode auto: the cluster serves CapacityBuffers but"
                                + " the autoscaler has not accepted this pool's buffer (ReadyForProvisioning=True), so the"
                                + " pause pods stay");
                        yield "pause-pods";
                    }
                    yield "buffer";
                }
            };
        }

        /**
         * The kubeconfig's client settings, bounded by --timeout: no request or connection outlives
         * it and no retry back-off stretches it (the client's default retries took ~23 s).
         */
        private Config boundedConfig() {
            Duration timeout = Duration.ofSeconds(timeoutSeconds);
            return LiveClusterConfig.kubeconfig(timeout, timeout).withRequestRetryBackoffLimit(0).build();
        }

        private static String contextOf(Config config) {
            return config.getCurrentContext() == null || config.getCurrentContext().getName() == null
                    ? "" : " (kubeconfig context " + config.getCurrentContext().getName() + ")";
        }
    }
}
