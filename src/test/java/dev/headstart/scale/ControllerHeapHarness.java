package dev.headstart.scale;

import dev.headstart.controller.OnChange;
import dev.headstart.controller.headroom.NodeCensus;
import dev.headstart.controller.headroom.TaintSpec;
import dev.headstart.controller.informers.ControllerKinds;
import dev.headstart.controller.informers.OptedInInformers;
import dev.headstart.controller.informers.SharedInformers;
import dev.headstart.controller.informers.Subscription;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerImageBuilder;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A quick local measure of what the controller's caches cost. {@code serve}: a fabric8 mock API
 * server (CRUD) preloaded with EKS-sized Nodes and Deployments. {@code registry URL OPTED_IN}, in
 * another JVM: the controller's informers as its reconcilers subscribe them (the registry, reduced
 * stores, workloads of opted-in namespaces), and the heap after a full GC before and after they
 * synced. {@code old URL 0}: what the controller did before the registry (two full node informers,
 * full cluster-wide Deployment informer). Not the scale bench: a heap figure per node and per
 * workload, quickly.
 *
 * <pre>
 * ./mvnw -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * CP=target/test-classes:target/classes:$(cat target/cp.txt)
 * java -Xmx3g -cp $CP dev.headstart.scale.ControllerHeapHarness serve NODES NAMESPACES OPTED_IN PER_NAMESPACE &amp;
 * java -XX:+UseSerialGC -Xmx1g -cp $CP dev.headstart.scale.ControllerHeapHarness registry URL OPTED_IN
 * </pre>
 */
public final class ControllerHeapHarness {

    public static void main(String[] args) throws Exception {
        if ("serve".equals(args[0])) {
            serve(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]));
        } else {
            measure(args[1], "old".equals(args[0]), Integer.parseInt(args[2]));
        }
    }

    /** The simulated API server: preloads, prints its URL, serves until killed. */
    static void serve(int nodes, int namespaces, int optedIn, int perNamespace) throws Exception {
        KubernetesMockServer server = new KubernetesMockServer(new Context(Serialization.jsonMapper()),
                new MockWebServer(), new HashMap<>(), new PagingDispatcher(), false);
        server.init();
        KubernetesClient client = server.createClient();
        ExecutorService load = Executors.newFixedThreadPool(8);
        List<CompletableFuture<?>> creates = new ArrayList<>();
        System.out.printf("node JSON %d bytes, deployment JSON %d bytes%n",
                Serialization.asJson(node(0)).length(), Serialization.asJson(deployment("ns-0", 0)).length());
        for (int i = 0; i < nodes; i++) {
            Node n = node(i);
            creates.add(CompletableFuture.runAsync(() -> client.nodes().resource(n).create(), load));
        }
        for (int ns = 0; ns < namespaces; ns++) {
            NamespaceBuilder namespace = new NamespaceBuilder().withNewMetadata().withName("ns-" + ns).endMetadata();
            if (ns < optedIn) {
                namespace.editMetadata().addToLabels(ControllerKinds.OPT_IN_LABEL, ControllerKinds.OPT_IN_VALUE).endMetadata();
            }
            client.namespaces().resource(namespace.build()).create();
            for (int w = 0; w < perNamespace; w++) {
                Deployment d = deployment("ns-" + ns, w);
                creates.add(CompletableFuture.runAsync(() -> client.apps().deployments().inNamespace(d.getMetadata()
                        .getNamespace()).resource(d).create(), load));
            }
        }
        CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)).join();
        load.shutdown();
        System.out.printf("preloaded %d nodes, %d namespaces (%d opted in), %d deployments%n",
                nodes, namespaces, optedIn, namespaces * perNamespace);
        System.out.println("url " + client.getMasterUrl());
        System.out.flush();
        Thread.currentThread().join();
    }

    /** The controller side, alone in its JVM: heap after GC before and after its caches synced. */
    static void measure(String url, boolean old, int optedIn) throws Exception {
        KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder().withMasterUrl(url).withTrustCerts(true).build()).build();
        client.namespaces().list(); // the HTTP client is up
        long before = heapAfterGc();
        long started = System.nanoTime();
        List<AutoCloseable> running = new ArrayList<>();
        SharedInformers informers = new SharedInformers(() -> client, 500);
        Subscription<Node> nodeCache = null;
        if (old) {
            for (int i = 0; i < 2; i++) { // headroom's and the warm pool's
                SharedIndexInformer<Node> inf = client.nodes().runnableInformer(0);
                inf.start().toCompletableFuture().join();
                running.add(inf::close);
            }
            SharedIndexInformer<Deployment> deployments = client.apps().deployments().inAnyNamespace().runnableInformer(0);
            deployments.start().toCompletableFuture().join();
            running.add(deployments::close);
        } else {
            nodeCache = informers.subscribe(ControllerKinds.NODES, OnChange.run(() -> { }));
            running.add(nodeCache);
            running.add(informers.subscribe(ControllerKinds.NODES, OnChange.run(() -> { })));
            running.add(informers.subscribe(ControllerKinds.IMAGE_CACHE_DAEMONSETS, OnChange.run(() -> { })));
            running.add(informers.subscribe(ControllerKinds.IMAGE_CACHE_PODS, OnChange.run(() -> { })));
            OptedInInformers workloads = new OptedInInformers(informers, ControllerKinds.WORKLOADS,
                    new OnChange<HasMetadata>(o -> { }), ns -> { });
            running.add(workloads);
            nodeCache.started().join();
            System.out.printf("nodes synced after %d ms%n", (System.nanoTime() - started) / 1_000_000);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (workloads.followed().size() < optedIn
                    || !workloads.followed().stream().allMatch(workloads::synced)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("workload informers did not sync");
                }
                Thread.sleep(50);
            }
        }
        long syncMillis = (System.nanoTime() - started) / 1_000_000;
        long after = heapAfterGc();
        System.out.printf("%s informers synced in %d ms; controller caches %.1f MiB (heap %d -> %d MiB)%n",
                old ? "old" : "registry", syncMillis, (after - before) / 1048576.0, before >> 20, after >> 20);
        if (nodeCache != null) {
            NodeCensus census = new NodeCensus(Map.of(), TaintSpec.parse("headstart.dev/warmup=true:NoSchedule"));
            for (int i = 0; i < 3; i++) {
                long t = System.nanoTime();
                NodeCensus.Tally tally = census.count(nodeCache.list());
                System.out.printf("headroom census over the reduced store: %d nodes counted in %d ms%n",
                        tally.schedulable().nodes(), (System.nanoTime() - t) / 1_000_000);
            }
        }
        for (AutoCloseable c : running) {
            c.close();
        }
        client.close();
        System.exit(0);
    }

    /**
     * The CRUD mock answers {@code limit} with everything; a real API server pages. This one cuts
     * list answers into pages ({@code continue} = the offset), as kube-apiserver would.
     */
    static final class PagingDispatcher extends KubernetesMixedDispatcher {
        PagingDispatcher() {
            super(new HashMap<>());
        }

        /** The full list a paged read started from, by path without paging: later pages come from it. */
        private final Map<String, com.fasterxml.jackson.databind.JsonNode> started = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath();
            if (!"GET".equals(request.getMethod()) || path.contains("watch=true") || !path.contains("limit=")) {
                return super.dispatch(request);
            }
            String unpaged = path.replaceAll("&?(limit|continue)=[^&]*", "");
            com.fasterxml.jackson.databind.JsonNode cached = path.contains("continue=") ? started.get(unpaged) : null;
            MockResponse response = cached != null ? new MockResponse().setResponseCode(200) : super.dispatch(request);
            Map<String, String> query = new HashMap<>();
            for (String pair : path.substring(path.indexOf('?') + 1).split("&")) {
                String[] kv = pair.split("=", 2);
                query.put(kv[0], kv.length > 1 ? java.net.URLDecoder.decode(kv[1], java.nio.charset.StandardCharsets.UTF_8) : "");
            }
            try {
                com.fasterxml.jackson.databind.JsonNode full = cached != null ? cached
                        : Serialization.jsonMapper().readTree(response.getBody().getBytes());
                if (!(full.get("items") instanceof com.fasterxml.jackson.databind.node.ArrayNode items)) {
                    return response;
                }
                started.put(unpaged, full);
                com.fasterxml.jackson.databind.node.ObjectNode body = Serialization.jsonMapper().createObjectNode();
                full.fields().forEachRemaining(field -> body.set(field.getKey(), field.getValue()));
                body.set("metadata", full.path("metadata").isObject() ? full.get("metadata").deepCopy()
                        : Serialization.jsonMapper().createObjectNode());
                int limit = Integer.parseInt(query.get("limit"));
                int from = query.containsKey("continue") ? Integer.parseInt(query.get("continue")) : 0;
                com.fasterxml.jackson.databind.node.ArrayNode page = items.arrayNode();
                for (int i = from; i < Math.min(items.size(), from + limit); i++) {
                    page.add(items.get(i));
                }
                body.set("items", page);
                com.fasterxml.jackson.databind.node.ObjectNode metadata = (com.fasterxml.jackson.databind.node.ObjectNode) body
                        .get("metadata");
                if (from + limit < items.size()) {
                    metadata.put("continue", String.valueOf(from + limit));
                } else {
                    metadata.remove("continue");
                }
                return response.setBody(Serialization.jsonMapper().writeValueAsBytes(body));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** An EKS worker as the API server returns it: ~17 KB with 40 images and managedFields. */
    static Node node(int i) {
        String name = "ip-10-" + (i / 65536) + "-" + (i / 256 % 256) + "-" + (i % 256) + ".ec2.internal";
        NodeBuilder node = new NodeBuilder()
                .withNewMetadata().withName(name)
                    .withCreationTimestamp("2026-11-27T09:00:00Z")
                    .addToLabels("kubernetes.io/arch", "amd64").addToLabels("kubernetes.io/os", "linux")
                    .addToLabels("kubernetes.io/hostname", name).addToLabels("node.kubernetes.io/instance-type", "m5.2xlarge")
                    .addToLabels("topology.kubernetes.io/region", "us-east-1").addToLabels("topology.kubernetes.io/zone", "us-east-1a")
                    .addToLabels("eks.amazonaws.com/nodegroup", "workers-" + (i % 10))
                    .addToLabels("eks.amazonaws.com/capacityType", "ON_DEMAND")
                    .addToLabels("eks.amazonaws.com/nodegroup-image", "ami-0123456789abcdef0")
                    .addToLabels("failure-domain.beta.kubernetes.io/zone", "us-east-1a")
                    .addToAnnotations("alpha.kubernetes.io/provided-node-ip", "10.0.1.2")
                    .addToAnnotations("node.alpha.kubernetes.io/ttl", "0")
                    .addToAnnotations("volumes.kubernetes.io/controller-managed-attach-detach", "true")
                    .withManagedFields(
                            managed("kubelet", "status", 60),
                            managed("aws-node", "metadata", 20),
                            managed("kube-controller-manager", "spec", 15))
                .endMetadata()
                .withNewSpec().withProviderID("aws:///us-east-1a/i-" + String.format("%017x", i)).endSpec()
                .withNewStatus()
                    .addToAllocatable("cpu", new Quantity("7910m")).addToAllocatable("memory", new Quantity("31482Mi"))
                    .addToAllocatable("pods", new Quantity("58")).addToAllocatable("ephemeral-storage", new Quantity("95551679124"))
                    .addToCapacity("cpu", new Quantity("8")).addToCapacity("memory", new Quantity("32475Mi"))
                    .addToCapacity("pods", new Quantity("58")).addToCapacity("ephemeral-storage", new Quantity("104845292Ki"))
                    .addNewAddress().withType("InternalIP").withAddress("10.0.1.2").endAddress()
                    .addNewAddress().withType("Hostname").withAddress(name).endAddress()
                    .withNewNodeInfo().withKubeletVersion("v1.33.1-eks-1234567").withOsImage("Amazon Linux 2023")
                        .withContainerRuntimeVersion("containerd://1.7.27").withKernelVersion("6.1.134-150.224.amzn2023.x86_64")
                        .withMachineID("ec2" + String.format("%029x", i)).withSystemUUID("ec2" + String.format("%029x", i))
                        .withBootID(String.format("%032x", i)).withArchitecture("amd64").withOperatingSystem("linux")
                        .withKubeProxyVersion("v1.33.1-eks-1234567").endNodeInfo()
                    .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(10250).endKubeletEndpoint().endDaemonEndpoints()
                .endStatus();
        for (String type : List.of("MemoryPressure", "DiskPressure", "PIDPressure", "Ready")) {
            node.editStatus().addNewCondition().withType(type).withStatus("Ready".equals(type) ? "True" : "False")
                    .withReason("Kubelet" + type).withMessage("kubelet has sufficient " + type)
                    .withLastHeartbeatTime("2026-11-27T10:00:00Z").withLastTransitionTime("2026-11-27T09:00:00Z")
                    .endCondition().endStatus();
        }
        for (int img = 0; img < 40; img++) {
            String repo = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team-" + (img % 7) + "/service-" + img;
            node.editStatus().addToImages(new ContainerImageBuilder()
                    .withNames(repo + "@sha256:" + String.format("%064x", (long) img * 7919 + i),
                            repo + ":v1." + img + ".0")
                    .withSizeBytes(50_000_000L + img).build()).endStatus();
        }
        return node.build();
    }

    private static io.fabric8.kubernetes.api.model.ManagedFieldsEntry managed(String manager, String section, int fields) {
        Map<String, Object> inner = new LinkedHashMap<>();
        for (int f = 0; f < fields; f++) {
            inner.put("f:field" + f, Map.of("f:lastHeartbeatTime", Map.of(), "f:message", Map.of()));
        }
        FieldsV1 fieldsV1 = new FieldsV1();
        fieldsV1.setAdditionalProperty("f:" + section, inner);
        return new ManagedFieldsEntryBuilder().withManager(manager).withOperation("Update").withApiVersion("v1")
                .withTime("2026-11-27T10:00:00Z").withFieldsType("FieldsV1").withFieldsV1(fieldsV1).build();
    }

    /** A Deployment as kubectl apply leaves it: ~7 KB with last-applied, managedFields and status. */
    static Deployment deployment(String namespace, int i) {
        String name = "service-" + i;
        DeploymentBuilder builder = new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace)
                    .addToLabels("app.kubernetes.io/name", name).addToLabels("app.kubernetes.io/part-of", "shop")
                    .addToLabels("team", "team-" + (i % 7))
                .endMetadata()
                .withNewSpec().withReplicas(3)
                    .withNewSelector().addToMatchLabels("app.kubernetes.io/name", name).endSelector()
                    .withNewTemplate()
                        .withNewMetadata().addToLabels("app.kubernetes.io/name", name).endMetadata()
                        .withNewSpec()
                            .withContainers(new ContainerBuilder().withName("app")
                                    .withImage("123456789012.dkr.ecr.us-east-1.amazonaws.com/team-1/" + name + ":v1.2.3")
                                    .addNewPort().withContainerPort(8080).withName("http").endPort()
                                    .addNewEnv().withName("JAVA_TOOL_OPTIONS").withValue("-XX:MaxRAMPercentage=75").endEnv()
                                    .addNewEnv().withName("SPRING_PROFILES_ACTIVE").withValue("prod").endEnv()
                                    .addNewEnv().withName("OTEL_EXPORTER_OTLP_ENDPOINT").withValue("http://otel:4317").endEnv()
                                    .withNewResources().addToRequests("cpu", new Quantity("500m"))
                                        .addToRequests("memory", new Quantity("1Gi")).addToLimits("memory", new Quantity("1Gi"))
                                    .endResources()
                                    .withNewReadinessProbe().withNewHttpGet().withPath("/ready").withNewPort(8080).endHttpGet()
                                        .withPeriodSeconds(5).endReadinessProbe()
                                    .withNewLivenessProbe().withNewHttpGet().withPath("/live").withNewPort(8080).endHttpGet()
                                        .withPeriodSeconds(10).endLivenessProbe()
                                    .build(),
                                    new ContainerBuilder().withName("envoy").withImage("envoyproxy/envoy:v1.30.1")
                                    .withNewResources().addToRequests("cpu", new Quantity("100m")).endResources().build())
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .withNewStatus().withReplicas(3).withReadyReplicas(3).withAvailableReplicas(3).withUpdatedReplicas(3)
                    .withObservedGeneration(4L)
                    .addNewCondition().withType("Available").withStatus("True").withReason("MinimumReplicasAvailable")
                        .withMessage("Deployment has minimum availability.").endCondition()
                    .addNewCondition().withType("Progressing").withStatus("True").withReason("NewReplicaSetAvailable")
                        .withMessage("ReplicaSet \"" + name + "-5d8f7c9b4\" has successfully progressed.").endCondition()
                .endStatus();
        Deployment applied = builder.build();
        applied.getMetadata().setAnnotations(Map.of(
                "kubectl.kubernetes.io/last-applied-configuration", Serialization.asJson(applied.getSpec()),
                "deployment.kubernetes.io/revision", "4"));
        applied.getMetadata().setManagedFields(List.of(managed("kubectl-client-side-apply", "spec", 25),
                managed("kube-controller-manager", "status", 12)));
        return applied;
    }
}
