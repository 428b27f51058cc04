package dev.headstart.scale;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.controller.warmpool.AutoScalingStub;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerRequest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A simulated EKS cluster for {@code make scale-bench}: an API server ({@link ApiServer}) preloaded
 * with nodes, namespaces, workloads and pods of realistic size, and an Auto Scaling stub for the
 * warm-pool feature, both on 127.0.0.1. While the controller runs, the benchmark drives it through
 * {@code /_sim/}: node heartbeats on or off, 50 new nodes, the request log and counters.
 *
 * <p>{@code java -cp ... dev.headstart.scale.SimulatedCluster --nodes 1000 --out target/scale/1000}
 * writes {@code endpoints.json} (API and Auto Scaling URLs) into the output folder once it serves.
 */
public final class SimulatedCluster {

    static final String INSTALL_NAMESPACE = "headstart-system";
    /** Headroom parameters of the bench: one pause pod per 50 nodes, so 50 new nodes move the plan. */
    static final String HEADROOM_PARAMS = "{\"linear\":{\"nodesPerReplica\":50,\"min\":1,\"max\":1000}}";

    record Size(int nodes, int workloads, int namespaces, int optedIn, int pods, double warmFraction) {

        /** The defaults at a node count: 7 workloads and 30 pods per node, a namespace per 5 nodes. */
        static Size of(int nodes) {
            int namespaces = Math.max(10, Math.min(1000, nodes / 5));
            int optedIn = nodes <= 100 ? 5 : nodes <= 1000 ? 10 : 20;
            return new Size(nodes, nodes * 7, namespaces, optedIn, nodes * 30, 0.02);
        }
    }

    private final Size size;
    private final ObjectStore store = new ObjectStore();
    private final RequestLog log = new RequestLog();
    private final EksObjects objects;
    private final AtomicInteger nodeCount = new AtomicInteger();
    private final AtomicBoolean heartbeats = new AtomicBoolean();
    private final AtomicLong heartbeatsSent = new AtomicLong();
    private final int heartbeatSeconds;
    private final Vertx vertx;
    private AutoScalingStub autoScaling;
    private ApiServer api;

    SimulatedCluster(Size size, int heartbeatSeconds) {
        this.size = size;
        this.heartbeatSeconds = heartbeatSeconds;
        this.objects = new EksObjects(42, Instant.parse("2026-11-01T08:00:00Z"));
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(8)
                .setBlockedThreadCheckInterval(10_000));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int nodes = Integer.parseInt(opts.getOrDefault("nodes", "100"));
        Size d = Size.of(nodes);
        Size size = new Size(nodes, Integer.parseInt(opts.getOrDefault("workloads", "" + d.workloads())),
                Integer.parseInt(opts.getOrDefault("namespaces", "" + d.namespaces())),
                Integer.parseInt(opts.getOrDefault("opted-in", "" + d.optedIn())),
                Integer.parseInt(opts.getOrDefault("pods", "" + d.pods())),
                Double.parseDouble(opts.getOrDefault("warm-fraction", "" + d.warmFraction())));
        Path out = Path.of(opts.getOrDefault("out", "target/scale"));
        Files.createDirectories(out);
        SimulatedCluster cluster = new SimulatedCluster(size, Integer.parseInt(opts.getOrDefault("heartbeat-seconds", "10")));
        long began = System.nanoTime();
        cluster.populate();
        Map<String, Object> endpoints = cluster.start();
        endpoints.put("populateMillis", (System.nanoTime() - began) / 1_000_000);
        endpoints.put("objects", cluster.store.counts());
        endpoints.put("bytes", cluster.bytes());
        Files.writeString(out.resolve("endpoints.json"), ObjectStore.MAPPER.writeValueAsString(endpoints));
        System.out.println("simulated cluster serving: " + endpoints);
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
        Thread.currentThread().join();
    }

    /** Loads the cluster: what the install and a busy EKS cluster hold before the controller starts. */
    void populate() throws Exception {
        autoScaling = new AutoScalingStub();
        var namespaces = store.resource("", "namespaces");
        for (String system : List.of("default", "kube-system", "kube-public", "kube-node-lease", INSTALL_NAMESPACE)) {
            store.create(namespaces, null, EksObjects.namespace(system, false));
        }
        int warm = (int) Math.max(2, Math.round(size.nodes() * size.warmFraction()));
        for (int i = 0; i < size.nodes(); i++) {
            addNode(i, i % Math.max(1, size.nodes() / warm) == 0 && i / Math.max(1, size.nodes() / warm) < warm);
        }
        ObjectNode params = ObjectStore.MAPPER.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
        params.putObject("metadata").put("name", "headstart-headroom").put("namespace", INSTALL_NAMESPACE);
        params.putObject("data").put("params", HEADROOM_PARAMS);
        store.create(store.resource("", "configmaps"), INSTALL_NAMESPACE, params);
        ObjectNode high = ObjectStore.MAPPER.createObjectNode().put("apiVersion", "scheduling.k8s.io/v1")
                .put("kind", "PriorityClass").put("value", 1000000).put("preemptionPolicy", "PreemptLowerPriority");
        high.putObject("metadata").put("name", "headstart-high");
        store.create(store.resource("scheduling.k8s.io", "priorityclasses"), null, high);
        for (String ds : List.of("aws-node", "kube-proxy", "ebs-csi-node")) {
            store.create(store.resource("apps", "daemonsets"), "kube-system",
                    objects.workload("DaemonSet", "kube-system", ds, 0, 0, 0));
        }
        // Namespaces and workloads: opted-in namespaces spread through the list, workloads round-robin.
        List<String> names = new ArrayList<>();
        int stride = Math.max(1, size.namespaces() / Math.max(1, size.optedIn()));
        for (int n = 0; n < size.namespaces(); n++) {
            String name = String.format("team-%04d", n);
            names.add(name);
            store.create(namespaces, null, EksObjects.namespace(name, n % stride == 0 && n / stride < size.optedIn()));
            // the ServiceAccount controller's "default" in every namespace (the image cache reads its pull secrets)
            store.create(store.resource("", "serviceaccounts"), name, EksObjects.serviceAccount(name, "default"));
        }
        List<ObjectNode> podOwners = new ArrayList<>();
        String[] kinds = {"Deployment", "Deployment", "Deployment", "Deployment", "Deployment", "Deployment",
                "Deployment", "StatefulSet", "CronJob", "DaemonSet"};
        int replicas = Math.max(1, size.pods() / Math.max(1, size.workloads() * 8 / 10));
        for (int w = 0; w < size.workloads(); w++) {
            int team = w % size.namespaces();
            String kind = kinds[w % kinds.length];
            String name = kind.toLowerCase() + "-" + (w / size.namespaces());
            ObjectNode workload = objects.workload(kind, names.get(team), name, team, w / size.namespaces(), replicas);
            var resource = store.resource(kind.equals("CronJob") ? "batch" : "apps", kind.toLowerCase() + "s");
            store.create(resource, names.get(team), workload);
            if (kind.equals("Deployment") || kind.equals("StatefulSet")) {
                podOwners.add(workload);
            }
        }
        var pods = store.resource("", "pods");
        for (int p = 0; p < size.pods() && !podOwners.isEmpty(); p++) {
            ObjectNode owner = podOwners.get(p % podOwners.size());
            ObjectNode pod = objects.pod(owner, p / podOwners.size(), EksObjects.nodeName(p % size.nodes()));
            store.create(pods, owner.path("metadata").path("namespace").asText(), pod);
        }
    }

    private void addNode(int index, boolean warmupTainted) {
        store.create(store.resource("", "nodes"), null, objects.node(index, warmupTainted, Instant.now()));
        // Warm nodes rest in the pool with their kubelet running (Warmed:Running): tainted, no action due.
        autoScaling.instance(EksObjects.instanceId(index), "eks-ng-general-" + (index % 4),
                warmupTainted ? "Warmed:Running" : "InService");
        nodeCount.incrementAndGet();
    }

    Map<String, Object> start() throws Exception {
        Map<String, Function<HttpServerRequest, Object>> controls = new TreeMap<>();
        controls.put("stats", req -> stats());
        controls.put("requests", req -> log.toJson(Long.parseLong(String.valueOf(
                req.getParam("since") == null ? "0" : req.getParam("since")))));
        controls.put("heartbeats", req -> {
            heartbeats.set("true".equals(req.getParam("on")));
            return stats();
        });
        controls.put("add-nodes", req -> addNodes(Integer.parseInt(req.getParam("count"))));
        api = new ApiServer(vertx, store, log, controls);
        int port = api.start();
        ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sim-heartbeats");
            t.setDaemon(true);
            return t;
        });
        // Every node once per heartbeatSeconds, spread evenly over ten ticks a second.
        int ticks = heartbeatSeconds * 10;
        AtomicLong tick = new AtomicLong();
        beats.scheduleAtFixedRate(() -> {
            long k = tick.getAndIncrement() % ticks;
            if (!heartbeats.get()) {
                return;
            }
            var nodes = store.resource("", "nodes");
            int i = 0;
            Instant now = Instant.now();
            for (String name : nodes.objects.keySet()) {
                if (i++ % ticks == k) {
                    store.modify(nodes, null, name, node -> {
                        EksObjects.heartbeat(node, now);
                        return node;
                    });
                    heartbeatsSent.incrementAndGet();
                }
            }
        }, 100, 100, TimeUnit.MILLISECONDS);
        Map<String, Object> endpoints = new LinkedHashMap<>();
        endpoints.put("api", "http://127.0.0.1:" + port);
        endpoints.put("autoScaling", autoScaling.endpoint());
        endpoints.put("pid", ProcessHandle.current().pid());
        return endpoints;
    }

    private Object addNodes(int count) {
        long at = System.currentTimeMillis();
        int from = nodeCount.get();
        for (int i = 0; i < count; i++) {
            addNode(from + i, false);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("t", at);
        result.put("done", System.currentTimeMillis());
        result.put("nodes", nodeCount.get());
        return toJson(result);
    }

    private Object stats() {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("t", System.currentTimeMillis());
        stats.put("revision", store.revision());
        stats.put("objects", store.counts());
        stats.put("watches", store.watchCounts());
        stats.put("heartbeats", heartbeats.get());
        stats.put("heartbeatsSent", heartbeatsSent.get());
        stats.put("slowWatchesClosed", api.slowWatchesClosed());
        Map<String, Integer> aws = new TreeMap<>();
        autoScaling.requests().forEach(r -> aws.merge(String.valueOf(r.get("Action")), 1, Integer::sum));
        stats.put("aws", aws);
        return toJson(stats);
    }

    private Map<String, Long> bytes() {
        Map<String, Long> bytes = new TreeMap<>();
        for (String id : store.counts().keySet()) {
            String[] gp = id.contains("/") ? id.split("/", 2) : new String[]{"", id};
            var resource = store.resource(gp[0], gp[1]);
            bytes.put(id, resource.objects.values().stream().mapToLong(o -> o.json().length).sum());
        }
        return bytes;
    }

    private static Object toJson(Object value) {
        return ObjectStore.MAPPER.valueToTree(value);
    }

    void close() {
        if (api != null) {
            api.close();
        }
        if (autoScaling != null) {
            autoScaling.close();
        }
        vertx.close();
    }
}
