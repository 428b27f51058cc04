package dev.headstart.rules;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Random;

/**
 * A deterministic generator of pods and DaemonSets in the shapes the API server sends (defaulted
 * fields) and manifests hold (undefaulted probes): probes of every handler kind and timing, every
 * restart policy, immutable and moving image tags, kube-proxy with every kind of NODE_NAME, unknown
 * future fields, empty lists, annotation keys with '/' and '~', opt-outs and earlier Headstart output.
 */
final class GeneratedWorkloads {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Tags that may move under their name: an Always on them is the owner's choice and must stay. */
    static final java.util.Set<String> MOVING_IMAGES = java.util.Set.of("app", "app:latest", "reg:5000/t/app",
            "reg:5000/t/app:v9", "app:main", "app:stable", "postgres:16", "app:1.2-SNAPSHOT");
    private static final String[] IMAGES = {"app", "app:latest", "app:1.2", "reg:5000/t/app", "reg:5000/t/app:v9",
            "ghcr.io/a/b@sha256:0123abcd", "app:main", "app:stable", "postgres:16", "app:1.2-SNAPSHOT", "app:3.2.0",
            "eks/app:v1.31.2-eksbuild.3", "app:sha-1a2b3c4d", "kube-proxy:v1.30.0"};
    private static final String[] RESTART_POLICIES = {null, "Always", "OnFailure", "Never"};
    private static final String[] POLICIES = {null, "Always", "IfNotPresent", "Never"};
    private static final String[] SKIPS = {"all", "startup-probe", "pull-policy,priority-class", " kube-proxy-hostname ", "", "startup-probes"};

    private final Random random;

    GeneratedWorkloads(long seed) {
        this.random = new Random(seed);
    }

    ObjectNode next() {
        return random.nextInt(4) == 0 ? daemonSet() : pod();
    }

    ObjectNode pod() {
        ObjectNode pod = F.objectNode();
        pod.put("apiVersion", "v1");
        pod.put("kind", "Pod");
        pod.set("metadata", metadata());
        pod.set("spec", podSpec());
        if (random.nextBoolean()) {
            pod.putObject("status").put("phase", "Pending");
        }
        return pod;
    }

    ObjectNode daemonSet() {
        ObjectNode ds = F.objectNode();
        ds.put("apiVersion", "apps/v1");
        ds.put("kind", "DaemonSet");
        ObjectNode metadata = metadata();
        boolean awsNode = random.nextBoolean();
        metadata.put("name", awsNode ? "aws-node" : "kube-proxy");
        metadata.put("namespace", random.nextInt(5) == 0 ? "default" : "kube-system");
        ds.set("metadata", metadata);
        ObjectNode spec = ds.putObject("spec");
        spec.putObject("selector").putObject("matchLabels").put("k8s-app", "x");
        ObjectNode template = spec.putObject("template");
        template.set("metadata", random.nextBoolean() ? metadata() : F.objectNode());
        ObjectNode podSpec = podSpec();
        if (!awsNode) {
            ArrayNode containers = (ArrayNode) podSpec.get("containers");
            containers.insert(0, kubeProxyContainer());
        }
        template.set("spec", podSpec);
        return ds;
    }

    private ObjectNode metadata() {
        ObjectNode m = F.objectNode();
        m.put("name", "w-" + random.nextInt(1000));
        if (random.nextBoolean()) {
            m.put("namespace", "team-" + random.nextInt(3));
        }
        if (random.nextInt(3) > 0) {
            ObjectNode a = m.putObject("annotations");
            a.put("example.com/owner~team", "x~1/y");
            if (random.nextInt(4) == 0) {
                a.put(Annotations.SKIP, SKIPS[random.nextInt(SKIPS.length)]);
            }
            if (random.nextInt(5) == 0) {
                a.put(Annotations.APPLIED, "priority-class");
            }
        }
        if (random.nextBoolean()) {
            m.putObject("labels").put("app.kubernetes.io/name", "w");
        }
        return m;
    }

    private ObjectNode podSpec() {
        ObjectNode spec = F.objectNode();
        if (random.nextInt(3) == 0) {
            spec.put("priorityClassName", random.nextBoolean() ? "batch" : "");
        }
        if (random.nextBoolean()) {
            spec.put("priority", 0);
        }
        ArrayNode containers = spec.putArray("containers");
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            containers.add(container("c" + i));
        }
        if (random.nextBoolean()) {
            ArrayNode init = spec.putArray("initContainers");
            for (int i = 0; i < random.nextInt(3); i++) {
                init.add(container("i" + i));
            }
        }
        if (random.nextBoolean()) {
            spec.putArray("volumes");
        }
        if (random.nextBoolean()) {
            spec.putObject("futureSpecField").putArray("list").add(F.nullNode()).addObject();
        }
        String restartPolicy = RESTART_POLICIES[random.nextInt(RESTART_POLICIES.length)];
        if (restartPolicy != null) {
            spec.put("restartPolicy", restartPolicy);
        }
        return spec;
    }

    private ObjectNode container(String name) {
        ObjectNode c = F.objectNode();
        c.put("name", name);
        c.put("image", IMAGES[random.nextInt(IMAGES.length - 1)]);
        String policy = POLICIES[random.nextInt(POLICIES.length)];
        if (policy != null) {
            c.put("imagePullPolicy", policy);
        }
        if (random.nextBoolean()) {
            c.set("readinessProbe", probe());
        }
        if (random.nextBoolean()) {
            c.set("livenessProbe", probe());
        }
        if (random.nextInt(4) == 0) {
            c.set("startupProbe", probe());
        }
        if (random.nextBoolean()) {
            c.putArray("env");
        }
        if (random.nextInt(8) == 0) {
            c.put("restartPolicy", random.nextBoolean() ? "Never" : "Always");
        }
        if (random.nextInt(3) == 0) {
            c.putObject("resources");
        }
        if (random.nextInt(4) == 0) {
            c.put("unknownContainerField", random.nextInt());
        }
        return c;
    }

    private ObjectNode kubeProxyContainer() {
        ObjectNode c = F.objectNode();
        c.put("name", "kube-proxy");
        c.put("image", "registry.k8s.io/kube-proxy:v1.30.0");
        switch (random.nextInt(4)) {
            case 0 -> c.putArray("command").add("kube-proxy").add("--v=2");
            case 1 -> {
                c.putArray("command").add("/usr/local/bin/kube-proxy");
                c.putArray("args").add("--config=/c");
            }
            case 2 -> c.putArray("command").add("kube-proxy").add("--hostname-override=$(NODE_NAME)");
            default -> {
                // image entrypoint, no flags
            }
        }
        switch (random.nextInt(5)) {
            case 0 -> c.putArray("env").addObject().put("name", "NODE_NAME").put("value", "builder-01");
            case 1 -> c.putArray("env").addObject().put("name", "NODE_NAME").putObject("valueFrom")
                    .putObject("fieldRef").put("fieldPath", "spec.nodeName");
            case 2 -> c.putArray("env").addObject().put("name", "MY_NODE").putObject("valueFrom")
                    .putObject("fieldRef").put("apiVersion", "v1").put("fieldPath", "spec.nodeName");
            case 3 -> c.putArray("envFrom").addObject().putObject("configMapRef").put("name", "proxy-env");
            default -> {
                // no environment
            }
        }
        return c;
    }

    private ObjectNode probe() {
        ObjectNode p = F.objectNode();
        switch (random.nextInt(4)) {
            case 0 -> p.putObject("httpGet").put("path", "/ready").put("port", 8080).put("scheme", "HTTP");
            case 1 -> p.putObject("tcpSocket").put("port", "http");
            case 2 -> p.putObject("exec").putArray("command").add("cat").add("/tmp/ok");
            default -> p.putObject("grpc").put("port", 9000);
        }
        if (random.nextBoolean()) {
            p.put("initialDelaySeconds", random.nextInt(4) == 0 ? 600 + random.nextInt(600) : random.nextInt(120));
        }
        if (random.nextInt(4) > 0) {
            // Defaulted as the API server sends it; otherwise as written in a manifest (the CLI's view).
            p.put("periodSeconds", 1 + random.nextInt(30));
            p.put("timeoutSeconds", 1 + (random.nextInt(4) == 0 ? random.nextInt(60) : 0));
            p.put("successThreshold", 1);
            p.put("failureThreshold", 1 + random.nextInt(10));
        }
        return p;
    }
}
