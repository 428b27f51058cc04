package dev.headstart.cli;

import dev.headstart.config.ConfigLoader;
import dev.headstart.config.HeadstartConfig;
import dev.headstart.controller.imagecache.ImageCachePlanner;
import dev.headstart.controller.imagecache.ImageCacheSettings;
import dev.headstart.controller.warmpool.WarmupTaint;
import dev.headstart.imagecache.CachePlan;
import dev.headstart.imagecache.CachePolicy;
import dev.headstart.imagecache.NodeFacts;
import dev.headstart.imagecache.WorkloadTemplate;
import dev.headstart.json.Json;
import io.smallrye.config.SmallRyeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * {@code headstart images}: the image-cache plan the controller would make, by the controller's
 * engine ({@link ImageCachePlanner}) and settings ({@link ImageCacheSettings}) — cache groups and
 * their DaemonSets and, per node, the images it should hold (in which DaemonSet, pulled how), why it
 * lacks the others, what did not fit the cap and, when the input has cache pods, which images are
 * cached since when, pending or failed.
 */
@Command(name = "images", mixinStandardHelpOptions = true,
        description = {"The image cache's plan, made by the controller's own engine: cache groups (placement x pull access), "
                + "the DaemonSets the controller writes for them (a large group's shards), what each node should hold and why it lacks the rest.",
                "Reads what 'kubectl get nodes,namespaces,deployments,statefulsets,daemonsets,cronjobs,serviceaccounts,runtimeclasses,hpa,pods -A -o yaml' "
                        + "prints (-f FILE or -f - for standard input), or without -f the cluster of the current kubeconfig. "
                        + "With Namespace objects in the input only opted-in namespaces count, as in the controller."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:plan printed", "1:the cluster could not be read", "2:usage or input error"})
public class ImagesCommand implements Callable<Integer> {

    static final String KEY = "headstart.image-cache.";

    @Mixin
    ObjectSource input;

    @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "table|json",
            description = "table (default) or json.")
    String output;

    @Option(names = "--max-pods-per-node", paramLabel = "N",
            description = "Cache pods per node at most (default: headstart.image-cache.max-pods-per-node, else "
                    + CachePolicy.DEFAULT_MAX_PODS_PER_NODE_TEXT + ").")
    Integer maxPodsPerNode;

    @Option(names = "--node-credential-registry", split = ",", paramLabel = "PATTERN",
            description = "Registries the nodes pull from with their own credentials, replacing headstart.image-cache.node-credential-registries ("
                    + CachePolicy.DEFAULT_NODE_CREDENTIAL_REGISTRIES_TEXT + "); 'none' for none.")
    List<String> nodeCredentialRegistries;

    @Option(names = "--transient-taint-key", split = ",", paramLabel = "KEY",
            description = "Taint keys that do not count against placement, replacing headstart.image-cache.transient-taint-keys ("
                    + CachePolicy.DEFAULT_TRANSIENT_TAINT_KEYS_TEXT + "); the warm-up taint always counts as transient.")
    List<String> transientTaintKeys;

    @Option(names = "--platform", paramLabel = "IMAGE=ARCH,ARCH",
            description = "Architectures an image (or a prefix ending in *) runs on, e.g. 'ghcr.io/acme/gpu-*=amd64'; "
                    + "repeatable, or ';'-separated; added to headstart.image-cache.platforms.")
    List<String> platforms = new ArrayList<>();

    @Option(names = "--exclude", split = ",", paramLabel = "IMAGE",
            description = "Images never cached (exact, or a prefix ending in *), added to headstart.image-cache.exclude.")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--shared-namespace", paramLabel = "NAMESPACE",
            description = "Where shared cache pods live (default: headstart.controller.namespace).")
    String sharedNamespace;

    @Option(names = "--warmup-taint", paramLabel = "KEY[=VALUE]:EFFECT",
            description = "The warm-up taint cache pods tolerate (default: headstart.warm-pool.taint).")
    String warmupTaint;

    @Option(names = "--node", split = ",", paramLabel = "NODE",
            description = "Show only these nodes (the plan is still made for all of them); repeatable.")
    List<String> onlyNodes = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!output.equals("table") && !output.equals("json")) {
            return RuleOptions.inputError(err, "-o must be table or json, not '" + output + "'");
        }
        ImageCacheSettings settings;
        try {
            settings = settings();
        } catch (InputException e) {
            return RuleOptions.inputError(err, e.getMessage());
        }
        ObjectSource.Read<ImagesObjects> read = input.read(ImagesObjects::read, ImagesObjects::list, err);
        if (read.failed()) {
            return read.exitCode();
        }
        ImagesObjects objects = read.objects();
        String from = read.from();

        List<String> optedIn = objects.optedInNamespaces();
        List<WorkloadTemplate> templates = objects.templates(optedIn);
        if (templates.isEmpty() && objects.nodes().isEmpty()) {
            return RuleOptions.inputError(err, "no nodes and no workloads in " + from
                    + " (Deployments, StatefulSets, DaemonSets, CronJobs and Nodes are read)");
        }
        List<NodeFacts> nodes = objects.nodes().stream().map(NodeFacts::of).toList();
        CachePolicy policy = settings.policy();
        // the controller's engine: the same plan and the same DaemonSets (shards) for the same input and settings
        ImageCachePlanner.Planned planned = ImageCachePlanner.plan(templates, nodes, objects.runtimeClassesByName(),
                policy, settings);
        CachePlan plan = planned.plan();
        List<String> unknown = onlyNodes.stream().filter(n -> !plan.groupsByNode().containsKey(n)).toList();
        if (!unknown.isEmpty()) {
            return RuleOptions.inputError(err, "--node: no node " + String.join(", ", unknown) + " in " + from);
        }
        ImagesReport report = new ImagesReport(planned, policy, nodes, objects.cachePods(), onlyNodes,
                objects.runtimeClassesByName(), templates);
        if (output.equals("json")) {
            try {
                out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report.toJson()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            out.flush();
        } else {
            report.printTable(out);
        }
        err.println("headstart: " + nodes.size() + " nodes, " + templates.size() + " workloads ("
                + (optedIn == null ? "every namespace: the input has no Namespace objects"
                        : optedIn.size() + " namespace" + (optedIn.size() == 1 ? "" : "s") + " opted in")
                + "), " + objects.cachePods().size() + " cache pods read from " + from);
        err.flush();
        return 0;
    }

    /**
     * The controller's settings, read as the controller reads them ({@link ImageCacheSettings#from}:
     * {@code headstart.image-cache.*}, the warm-up taint, the controller's namespace, the defaults
     * where unset) from the configuration this command finds ({@code application.properties},
     * {@code HEADSTART_*} environment variables, system properties), with the flags on top.
     */
    ImageCacheSettings settings() throws InputException {
        SmallRyeConfig config;
        try {
            config = ConfigLoader.config();
        } catch (RuntimeException e) {
            throw new InputException("invalid configuration: " + oneLine(e.getMessage()));
        }
        return settings(config);
    }

    /** The planner's policy of {@link #settings(SmallRyeConfig)}. */
    CachePolicy policy(SmallRyeConfig raw) throws InputException {
        return settings(raw).policy();
    }

    /**
     * The settings from this configuration (tests give their own) and the flags. Where the
     * controller logs a bad value and carries on (platforms), the command refuses it: a one-line
     * error is more use to someone at a terminal than a plan made without it.
     */
    ImageCacheSettings settings(SmallRyeConfig raw) throws InputException {
        HeadstartConfig config;
        try {
            config = raw.getConfigMapping(HeadstartConfig.class);
        } catch (RuntimeException e) {
            throw new InputException("invalid configuration: " + oneLine(e.getMessage()));
        }
        HeadstartConfig.ImageCache cache = config.imageCache();
        int max = maxPodsPerNode != null ? maxPodsPerNode : cache.maxPodsPerNode();
        if (max < 1) {
            throw new InputException((maxPodsPerNode != null ? "--max-pods-per-node" : KEY + "max-pods-per-node")
                    + " must be at least 1, not " + max);
        }
        ImageCacheSettings base;
        WarmupTaint taint;
        try {
            base = ImageCacheSettings.from(config); // the only part that throws: the warm-up taint
        } catch (IllegalArgumentException e) {
            throw new InputException("headstart.warm-pool.taint: " + e.getMessage());
        }
        try {
            taint = warmupTaint == null ? base.warmupTaint() : WarmupTaint.parse(warmupTaint);
        } catch (IllegalArgumentException e) {
            throw new InputException("--warmup-taint: " + e.getMessage());
        }
        Map<String, Set<String>> platformPatterns = new LinkedHashMap<>();
        try {
            ImageCacheSettings.parsePlatforms(cache.platforms().orElse("")).forEach(platformPatterns::put);
            List<String> entries = new ArrayList<>();
            platforms.forEach(p -> entries.addAll(List.of(p.split(";"))));
            CachePolicy.parsePlatforms(entries).forEach((image, archs) -> platformPatterns.merge(image, archs, (a, b) -> {
                Set<String> union = new TreeSet<>(a);
                union.addAll(b);
                return union;
            }));
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
        List<String> registries = (nodeCredentialRegistries != null ? nodeCredentialRegistries : cache.nodeCredentialRegistries())
                .stream().filter(r -> !r.trim().equalsIgnoreCase("none")).toList();
        List<String> excluded = new ArrayList<>(cache.exclude().orElse(List.of()));
        excluded.addAll(exclude);
        try {
            ImageCacheSettings settings = new ImageCacheSettings(base.noopImage(), excluded, taint, base.debounce(),
                    sharedNamespace == null ? base.sharedNamespace() : sharedNamespace.trim(), max, registries,
                    transientTaintKeys != null ? transientTaintKeys : cache.transientTaintKeys(), platformPatterns);
            settings.policy(); // the planner's own checks (an empty namespace)
            return settings;
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
    }

    /** SmallRye's validation message lists each problem on its own line: one line here. */
    private static String oneLine(String message) {
        return String.valueOf(message).replaceAll("\\s+", " ").strip();
    }
}
