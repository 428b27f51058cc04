package dev.headstart.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;

/**
 * Objects shaped like those of an EKS cluster, at their real sizes: what makes a controller's cache
 * heavy is managedFields, {@code status.images}, last-applied annotations and status, so they are all
 * here (Node ~17 KB with 35–50 images, Deployment ~7 KB, Pod ~5 KB). Deterministic for one seed.
 */
final class EksObjects {

    static final String WARMUP_TAINT_KEY = "headstart.dev/warmup";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String[] ZONES = {"us-east-1a", "us-east-1b", "us-east-1c"};
    private static final String ECR = "602401143452.dkr.ecr.us-east-1.amazonaws.com/";
    private static final String[] SYSTEM_IMAGES = {
            ECR + "amazon-k8s-cni:v1.18.3-eksbuild.1", ECR + "amazon-k8s-cni-init:v1.18.3-eksbuild.1",
            ECR + "amazon/aws-network-policy-agent:v1.1.2-eksbuild.1", ECR + "eks/kube-proxy:v1.30.0-minimal-eksbuild.3",
            ECR + "eks/coredns:v1.11.1-eksbuild.9", ECR + "eks/pause:3.5", ECR + "eks/aws-ebs-csi-driver:v1.32.0",
            ECR + "eks/csi-node-driver-registrar:v2.11.0-eks-1-30-8", ECR + "eks/livenessprobe:v2.13.0-eks-1-30-8",
            "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.2", "quay.io/prometheus/node-exporter:v1.8.1",
            "registry.k8s.io/metrics-server/metrics-server:v0.7.1", "public.ecr.aws/datadog/agent:7.54.0"};

    private final Random random;
    private final String created;

    EksObjects(long seed, Instant created) {
        this.random = new Random(seed);
        this.created = created.toString();
    }

    static String nodeName(int index) {
        return "ip-10-" + (index >> 16 & 255) + "-" + (index >> 8 & 255) + "-" + (index & 255) + ".ec2.internal";
    }

    static String instanceId(int index) {
        return String.format("i-0%016x", 0x5ca1e000000L + index);
    }

    static String zone(int index) {
        return ZONES[index % ZONES.length];
    }

    /** An application image of a team: 40 repositories per team, two tags in use each. */
    static String appImage(int team, int n) {
        return "123456789012.dkr.ecr.us-east-1.amazonaws.com/team-" + team + "/service-" + (n % 40) + ":v1." + (n % 2)
                + "." + (team % 7);
    }

    private String uid() {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    private String hex(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static ObjectNode obj() {
        return MAPPER.createObjectNode();
    }

    /** A node as kubelet, the cloud controller and the VPC CNI leave it: 35–50 images, four managers. */
    ObjectNode node(int index, boolean warmupTainted, Instant heartbeat) {
        String name = nodeName(index);
        String zone = zone(index);
        String ip = "10." + (index >> 16 & 255) + "." + (index >> 8 & 255) + "." + (index & 255);
        ObjectNode node = obj().put("apiVersion", "v1").put("kind", "Node");
        ObjectNode meta = node.putObject("metadata").put("name", name).put("uid", uid())
                .put("creationTimestamp", created);
        ObjectNode labels = meta.putObject("labels");
        labels.put("beta.kubernetes.io/arch", "amd64").put("beta.kubernetes.io/instance-type", "m5.2xlarge")
                .put("beta.kubernetes.io/os", "linux").put("eks.amazonaws.com/capacityType", "ON_DEMAND")
                .put("eks.amazonaws.com/nodegroup", "ng-general-" + (index % 4))
                .put("eks.amazonaws.com/nodegroup-image", "ami-0" + hex(8))
                .put("eks.amazonaws.com/sourceLaunchTemplateId", "lt-0" + hex(8))
                .put("eks.amazonaws.com/sourceLaunchTemplateVersion", "3")
                .put("failure-domain.beta.kubernetes.io/region", "us-east-1")
                .put("failure-domain.beta.kubernetes.io/zone", zone).put("k8s.io/cloud-provider-aws", hex(16))
                .put("kubernetes.io/arch", "amd64").put("kubernetes.io/hostname", name).put("kubernetes.io/os", "linux")
                .put("node.kubernetes.io/instance-type", "m5.2xlarge").put("topology.ebs.csi.aws.com/zone", zone)
                .put("topology.k8s.aws/zone-id", "use1-az" + (index % 3 + 1))
                .put("topology.kubernetes.io/region", "us-east-1").put("topology.kubernetes.io/zone", zone);
        meta.putObject("annotations").put("alpha.kubernetes.io/provided-node-ip", ip)
                .put("csi.volume.kubernetes.io/nodeid", "{\"ebs.csi.aws.com\":\"" + instanceId(index) + "\"}")
                .put("node.alpha.kubernetes.io/ttl", "0")
                .put("volumes.kubernetes.io/controller-managed-attach-detach", "true");
        ArrayNode managed = meta.putArray("managedFields");
        managed.add(managedEntry("kubelet", "Update", null, fieldsOf(
                "{\"f:metadata\":{\"f:annotations\":{\".\":{},\"f:alpha.kubernetes.io/provided-node-ip\":{},"
                        + "\"f:volumes.kubernetes.io/controller-managed-attach-detach\":{}},\"f:labels\":{\".\":{},"
                        + "\"f:beta.kubernetes.io/arch\":{},\"f:beta.kubernetes.io/instance-type\":{},\"f:beta.kubernetes.io/os\":{},"
                        + "\"f:eks.amazonaws.com/capacityType\":{},\"f:eks.amazonaws.com/nodegroup\":{},"
                        + "\"f:eks.amazonaws.com/nodegroup-image\":{},\"f:eks.amazonaws.com/sourceLaunchTemplateId\":{},"
                        + "\"f:eks.amazonaws.com/sourceLaunchTemplateVersion\":{},\"f:failure-domain.beta.kubernetes.io/region\":{},"
                        + "\"f:failure-domain.beta.kubernetes.io/zone\":{},\"f:k8s.io/cloud-provider-aws\":{},\"f:kubernetes.io/arch\":{},"
                        + "\"f:kubernetes.io/hostname\":{},\"f:kubernetes.io/os\":{},\"f:node.kubernetes.io/instance-type\":{},"
                        + "\"f:topology.kubernetes.io/region\":{},\"f:topology.kubernetes.io/zone\":{}}},"
                        + "\"f:spec\":{\"f:providerID\":{}" + (warmupTainted ? ",\"f:taints\":{}" : "") + "}}")));
        managed.add(managedEntry("aws-cloud-controller-manager", "Update", null, fieldsOf(
                "{\"f:metadata\":{\"f:labels\":{\"f:topology.k8s.aws/zone-id\":{}}}}")));
        managed.add(managedEntry("kube-controller-manager", "Update", null, fieldsOf(
                "{\"f:metadata\":{\"f:annotations\":{\"f:node.alpha.kubernetes.io/ttl\":{}}}}")));
        managed.add(managedEntry("csi-node-driver-registrar", "Update", null, fieldsOf(
                "{\"f:metadata\":{\"f:annotations\":{\"f:csi.volume.kubernetes.io/nodeid\":{}},"
                        + "\"f:labels\":{\"f:topology.ebs.csi.aws.com/zone\":{}}}}")));
        managed.add(managedEntry("kubelet", "Update", "status", fieldsOf(
                "{\"f:status\":{\"f:allocatable\":{\"f:cpu\":{},\"f:ephemeral-storage\":{},\"f:memory\":{}},"
                        + "\"f:capacity\":{\"f:ephemeral-storage\":{}},\"f:conditions\":{"
                        + "\"k:{\\\"type\\\":\\\"DiskPressure\\\"}\":{\"f:lastHeartbeatTime\":{},\"f:lastTransitionTime\":{},\"f:message\":{},\"f:reason\":{},\"f:status\":{}},"
                        + "\"k:{\\\"type\\\":\\\"MemoryPressure\\\"}\":{\"f:lastHeartbeatTime\":{},\"f:lastTransitionTime\":{},\"f:message\":{},\"f:reason\":{},\"f:status\":{}},"
                        + "\"k:{\\\"type\\\":\\\"PIDPressure\\\"}\":{\"f:lastHeartbeatTime\":{},\"f:lastTransitionTime\":{},\"f:message\":{},\"f:reason\":{},\"f:status\":{}},"
                        + "\"k:{\\\"type\\\":\\\"Ready\\\"}\":{\"f:lastHeartbeatTime\":{},\"f:lastTransitionTime\":{},\"f:message\":{},\"f:reason\":{},\"f:status\":{}}},"
                        + "\"f:images\":{},\"f:nodeInfo\":{\"f:bootID\":{},\"f:containerRuntimeVersion\":{},\"f:kernelVersion\":{},"
                        + "\"f:kubeProxyVersion\":{},\"f:kubeletVersion\":{},\"f:machineID\":{},\"f:osImage\":{},\"f:systemUUID\":{}}}}")));
        ObjectNode spec = node.putObject("spec").put("providerID", "aws:///" + zone + "/" + instanceId(index));
        if (warmupTainted) {
            spec.putArray("taints").addObject().put("key", WARMUP_TAINT_KEY).put("value", "true").put("effect", "NoSchedule");
        }
        ObjectNode status = node.putObject("status");
        status.putObject("capacity").put("attachable-volumes-aws-ebs", "25").put("cpu", "8")
                .put("ephemeral-storage", "104845292Ki").put("hugepages-1Gi", "0").put("hugepages-2Mi", "0")
                .put("memory", "32386544Ki").put("pods", "58");
        status.putObject("allocatable").put("attachable-volumes-aws-ebs", "25").put("cpu", "7910m")
                .put("ephemeral-storage", "95551679124").put("hugepages-1Gi", "0").put("hugepages-2Mi", "0")
                .put("memory", "31369712Ki").put("pods", "58");
        ArrayNode conditions = status.putArray("conditions");
        condition(conditions, "MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available");
        condition(conditions, "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure");
        condition(conditions, "PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available");
        condition(conditions, "Ready", "True", "KubeletReady", "kubelet is posting ready status");
        heartbeat(node, heartbeat);
        ArrayNode addresses = status.putArray("addresses");
        addresses.addObject().put("type", "InternalIP").put("address", ip);
        addresses.addObject().put("type", "InternalDNS").put("address", name);
        addresses.addObject().put("type", "Hostname").put("address", name);
        status.putObject("daemonEndpoints").putObject("kubeletEndpoint").put("Port", 10250);
        status.putObject("nodeInfo").put("machineID", hex(16)).put("systemUUID", "ec2" + hex(14))
                .put("bootID", uid()).put("kernelVersion", "5.10.219-208.866.amzn2.x86_64")
                .put("osImage", "Amazon Linux 2").put("containerRuntimeVersion", "containerd://1.7.11")
                .put("kubeletVersion", "v1.30.0-eks-036c24b").put("kubeProxyVersion", "v1.30.0-eks-036c24b")
                .put("operatingSystem", "linux").put("architecture", "amd64");
        ArrayNode images = status.putArray("images");
        int count = 35 + random.nextInt(16);
        for (int i = 0; i < count; i++) {
            String image = i < SYSTEM_IMAGES.length ? SYSTEM_IMAGES[i] : appImage(random.nextInt(1000), random.nextInt(80));
            String repository = image.substring(0, image.lastIndexOf(':'));
            ArrayNode names = images.addObject().putArray("names");
            names.add(repository + "@sha256:" + hex(32));
            names.add(image);
            ((ObjectNode) images.get(i)).put("sizeBytes", 5_000_000L + random.nextInt(900_000_000));
        }
        return node;
    }

    /** Sets every condition's lastHeartbeatTime, as kubelet's status update does. */
    static void heartbeat(ObjectNode node, Instant at) {
        String time = at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        for (JsonNode condition : node.path("status").path("conditions")) {
            ((ObjectNode) condition).put("lastHeartbeatTime", time);
        }
        for (JsonNode entry : node.path("metadata").path("managedFields")) {
            if ("status".equals(entry.path("subresource").asText())) {
                ((ObjectNode) entry).put("time", time);
            }
        }
    }

    private void condition(ArrayNode conditions, String type, String status, String reason, String message) {
        conditions.addObject().put("type", type).put("status", status).put("lastHeartbeatTime", created)
                .put("lastTransitionTime", created).put("reason", reason).put("message", message);
    }

    private ObjectNode managedEntry(String manager, String operation, String subresource, JsonNode fields) {
        ObjectNode entry = obj().put("manager", manager).put("operation", operation).put("apiVersion", "v1")
                .put("time", created).put("fieldsType", "FieldsV1");
        entry.set("fieldsV1", fields);
        if (subresource != null) {
            entry.put("subresource", subresource);
        }
        return entry;
    }

    /** managedFields' fieldsV1 trees, parsed once: objects are serialized before anything changes them. */
    private static final java.util.Map<String, JsonNode> FIELDS = new java.util.concurrent.ConcurrentHashMap<>();

    private static JsonNode fieldsOf(String json) {
        return FIELDS.computeIfAbsent(json, EksObjects::parseFields);
    }

    private static JsonNode parseFields(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    static ObjectNode serviceAccount(String namespace, String name) {
        ObjectNode sa = obj().put("apiVersion", "v1").put("kind", "ServiceAccount");
        sa.putObject("metadata").put("name", name).put("namespace", namespace);
        return sa;
    }

    static ObjectNode namespace(String name, boolean optedIn) {
        ObjectNode ns = obj().put("apiVersion", "v1").put("kind", "Namespace");
        ObjectNode meta = ns.putObject("metadata").put("name", name);
        ObjectNode labels = meta.putObject("labels").put("kubernetes.io/metadata.name", name);
        if (optedIn) {
            labels.put("headstart.dev/inject", "enabled");
        }
        ns.putObject("spec").putArray("finalizers").add("kubernetes");
        ns.putObject("status").put("phase", "Active");
        return ns;
    }

    /** The pod template of a team's service: two containers, env, probes, resources, volumes. */
    ObjectNode podTemplate(String app, int team, int n) {
        ObjectNode template = obj();
        template.putObject("metadata").putObject("labels").put("app.kubernetes.io/name", app)
                .put("app.kubernetes.io/part-of", "team-" + team);
        ObjectNode spec = template.putObject("spec");
        ArrayNode containers = spec.putArray("containers");
        ObjectNode main = containers.addObject().put("name", "app").put("image", appImage(team, n));
        ArrayNode ports = main.putArray("ports");
        ports.addObject().put("name", "http").put("containerPort", 8080).put("protocol", "TCP");
        ports.addObject().put("name", "metrics").put("containerPort", 9090).put("protocol", "TCP");
        ArrayNode env = main.putArray("env");
        for (String key : new String[]{"LOG_LEVEL", "JAVA_TOOL_OPTIONS", "OTEL_EXPORTER_OTLP_ENDPOINT", "SPRING_PROFILES_ACTIVE",
                "DB_HOST", "CACHE_URL"}) {
            env.addObject().put("name", key).put("value", key.toLowerCase() + "-" + app + ".svc.cluster.local");
        }
        env.addObject().put("name", "POD_NAME").putObject("valueFrom").putObject("fieldRef")
                .put("apiVersion", "v1").put("fieldPath", "metadata.name");
        ObjectNode resources = main.putObject("resources");
        resources.putObject("requests").put("cpu", "250m").put("memory", "512Mi");
        resources.putObject("limits").put("memory", "1Gi");
        main.putObject("readinessProbe").put("periodSeconds", 10).put("failureThreshold", 3).put("timeoutSeconds", 1)
                .put("successThreshold", 1).putObject("httpGet").put("path", "/ready").put("port", "http")
                .put("scheme", "HTTP");
        main.putObject("livenessProbe").put("periodSeconds", 10).put("failureThreshold", 3).put("timeoutSeconds", 1)
                .put("successThreshold", 1).putObject("httpGet").put("path", "/live").put("port", "http")
                .put("scheme", "HTTP");
        main.putArray("volumeMounts").addObject().put("name", "config").put("mountPath", "/etc/app");
        main.put("terminationMessagePath", "/dev/termination-log").put("terminationMessagePolicy", "File")
                .put("imagePullPolicy", "IfNotPresent");
        ObjectNode sidecar = containers.addObject().put("name", "envoy").put("image", "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod");
        ObjectNode sidecarResources = sidecar.putObject("resources");
        sidecarResources.putObject("requests").put("cpu", "50m").put("memory", "64Mi");
        sidecar.put("terminationMessagePath", "/dev/termination-log").put("terminationMessagePolicy", "File")
                .put("imagePullPolicy", "IfNotPresent");
        spec.putArray("volumes").addObject().put("name", "config").putObject("configMap").put("name", app + "-config")
                .put("defaultMode", 420);
        spec.put("restartPolicy", "Always").put("terminationGracePeriodSeconds", 30).put("dnsPolicy", "ClusterFirst")
                .put("serviceAccountName", app).put("serviceAccount", app).put("schedulerName", "default-scheduler");
        spec.putObject("securityContext");
        return template;
    }

    /** A workload of {@code kind} as kubectl apply and its controller leave it. */
    ObjectNode workload(String kind, String namespace, String name, int team, int n, int replicas) {
        String group = "CronJob".equals(kind) ? "batch/v1" : "apps/v1";
        ObjectNode template = podTemplate(name, team, n);
        ObjectNode object = obj().put("apiVersion", group).put("kind", kind);
        ObjectNode meta = object.putObject("metadata").put("name", name).put("namespace", namespace).put("uid", uid())
                .put("generation", 4).put("creationTimestamp", created);
        meta.putObject("labels").put("app.kubernetes.io/name", name).put("app.kubernetes.io/part-of", "team-" + team)
                .put("app.kubernetes.io/managed-by", "kubectl");
        ObjectNode spec = obj();
        switch (kind) {
            case "CronJob" -> {
                spec.put("schedule", "*/15 * * * *").put("concurrencyPolicy", "Forbid").put("suspend", false)
                        .put("successfulJobsHistoryLimit", 3).put("failedJobsHistoryLimit", 1);
                ((ObjectNode) template.get("spec")).put("restartPolicy", "OnFailure");
                spec.putObject("jobTemplate").putObject("spec").put("backoffLimit", 6).set("template", template);
            }
            case "DaemonSet" -> {
                spec.putObject("selector").putObject("matchLabels").put("app.kubernetes.io/name", name);
                spec.putObject("updateStrategy").put("type", "RollingUpdate").putObject("rollingUpdate")
                        .put("maxUnavailable", 1).put("maxSurge", 0);
                spec.put("revisionHistoryLimit", 10).set("template", template);
            }
            default -> {
                spec.put("replicas", replicas).put("revisionHistoryLimit", 10).put("progressDeadlineSeconds", 600);
                spec.putObject("selector").putObject("matchLabels").put("app.kubernetes.io/name", name);
                if ("StatefulSet".equals(kind)) {
                    spec.put("serviceName", name).put("podManagementPolicy", "OrderedReady");
                    spec.putObject("updateStrategy").put("type", "RollingUpdate").putObject("rollingUpdate").put("partition", 0);
                } else {
                    spec.putObject("strategy").put("type", "RollingUpdate").putObject("rollingUpdate")
                            .put("maxUnavailable", "25%").put("maxSurge", "25%");
                }
                spec.set("template", template);
            }
        }
        ObjectNode applied = object.deepCopy();
        ((ObjectNode) applied.get("metadata")).remove(java.util.List.of("uid", "generation", "creationTimestamp"));
        applied.set("spec", spec.deepCopy());
        meta.putObject("annotations").put("deployment.kubernetes.io/revision", "4")
                .put("kubectl.kubernetes.io/last-applied-configuration", applied.toString() + "\n");
        ArrayNode managed = meta.putArray("managedFields");
        managed.add(managedEntry("kubectl-client-side-apply", "Update", null, fieldsOf(
                "{\"f:metadata\":{\"f:annotations\":{\".\":{},\"f:kubectl.kubernetes.io/last-applied-configuration\":{}},"
                        + "\"f:labels\":{\".\":{},\"f:app.kubernetes.io/managed-by\":{},\"f:app.kubernetes.io/name\":{},"
                        + "\"f:app.kubernetes.io/part-of\":{}}},\"f:spec\":{\"f:progressDeadlineSeconds\":{},\"f:replicas\":{},"
                        + "\"f:revisionHistoryLimit\":{},\"f:selector\":{},\"f:strategy\":{\"f:rollingUpdate\":{\".\":{},"
                        + "\"f:maxSurge\":{},\"f:maxUnavailable\":{}},\"f:type\":{}},\"f:template\":{\"f:metadata\":{"
                        + "\"f:labels\":{\".\":{},\"f:app.kubernetes.io/name\":{},\"f:app.kubernetes.io/part-of\":{}}},"
                        + "\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":\\\"app\\\"}\":{\".\":{},\"f:env\":{\".\":{},"
                        + "\"k:{\\\"name\\\":\\\"LOG_LEVEL\\\"}\":{\".\":{},\"f:name\":{},\"f:value\":{}},"
                        + "\"k:{\\\"name\\\":\\\"POD_NAME\\\"}\":{\".\":{},\"f:name\":{},\"f:valueFrom\":{}}},"
                        + "\"f:image\":{},\"f:imagePullPolicy\":{},\"f:livenessProbe\":{},\"f:name\":{},\"f:ports\":{},"
                        + "\"f:readinessProbe\":{},\"f:resources\":{},\"f:terminationMessagePath\":{},"
                        + "\"f:terminationMessagePolicy\":{},\"f:volumeMounts\":{}},\"k:{\\\"name\\\":\\\"envoy\\\"}\":{"
                        + "\".\":{},\"f:image\":{},\"f:name\":{},\"f:resources\":{}}},\"f:dnsPolicy\":{},"
                        + "\"f:restartPolicy\":{},\"f:schedulerName\":{},\"f:securityContext\":{},\"f:serviceAccount\":{},"
                        + "\"f:serviceAccountName\":{},\"f:terminationGracePeriodSeconds\":{},\"f:volumes\":{}}}}}")));
        managed.add(managedEntry("kube-controller-manager", "Update", "status", fieldsOf(
                "{\"f:metadata\":{\"f:annotations\":{\"f:deployment.kubernetes.io/revision\":{}}},\"f:status\":{"
                        + "\"f:availableReplicas\":{},\"f:conditions\":{\".\":{},\"k:{\\\"type\\\":\\\"Available\\\"}\":{"
                        + "\".\":{},\"f:lastTransitionTime\":{},\"f:lastUpdateTime\":{},\"f:message\":{},\"f:reason\":{},"
                        + "\"f:status\":{},\"f:type\":{}},\"k:{\\\"type\\\":\\\"Progressing\\\"}\":{\".\":{},"
                        + "\"f:lastTransitionTime\":{},\"f:lastUpdateTime\":{},\"f:message\":{},\"f:reason\":{},"
                        + "\"f:status\":{},\"f:type\":{}}},\"f:observedGeneration\":{},\"f:readyReplicas\":{},"
                        + "\"f:replicas\":{},\"f:updatedReplicas\":{}}}")));
        object.set("spec", spec);
        ObjectNode status = object.putObject("status").put("observedGeneration", 4);
        if (!"CronJob".equals(kind)) {
            status.put("replicas", replicas).put("readyReplicas", replicas).put("availableReplicas", replicas)
                    .put("updatedReplicas", replicas);
            ArrayNode conditions = status.putArray("conditions");
            conditions.addObject().put("type", "Available").put("status", "True").put("lastUpdateTime", created)
                    .put("lastTransitionTime", created).put("reason", "MinimumReplicasAvailable")
                    .put("message", "Deployment has minimum availability.");
            conditions.addObject().put("type", "Progressing").put("status", "True").put("lastUpdateTime", created)
                    .put("lastTransitionTime", created).put("reason", "NewReplicaSetAvailable")
                    .put("message", "ReplicaSet \"" + name + "-7d9c8b6f5\" has successfully progressed.");
        } else {
            status.put("lastScheduleTime", created).put("lastSuccessfulTime", created);
        }
        return object;
    }

    /** A running pod of {@code owner}, scheduled on {@code node}, as the kubelet reports it. */
    ObjectNode pod(ObjectNode owner, int ordinal, String node) {
        String namespace = owner.path("metadata").path("namespace").asText();
        String ownerName = owner.path("metadata").path("name").asText();
        boolean stateful = "StatefulSet".equals(owner.path("kind").asText());
        String name = stateful ? ownerName + "-" + ordinal : ownerName + "-7d9c8b6f5-" + hex(3).substring(0, 5);
        ObjectNode template = (ObjectNode) owner.path("spec").path("template");
        ObjectNode pod = obj().put("apiVersion", "v1").put("kind", "Pod");
        ObjectNode meta = pod.putObject("metadata").put("name", name).put("namespace", namespace).put("uid", uid())
                .put("creationTimestamp", created);
        if (!stateful) {
            meta.put("generateName", ownerName + "-7d9c8b6f5-");
        }
        ObjectNode labels = ((ObjectNode) template.path("metadata").path("labels")).deepCopy();
        labels.put(stateful ? "controller-revision-hash" : "pod-template-hash", stateful ? ownerName + "-5f8d7c9b4" : "7d9c8b6f5");
        meta.set("labels", labels);
        meta.putArray("ownerReferences").addObject().put("apiVersion", "apps/v1")
                .put("kind", stateful ? "StatefulSet" : "ReplicaSet").put("name", stateful ? ownerName : ownerName + "-7d9c8b6f5")
                .put("uid", uid()).put("controller", true).put("blockOwnerDeletion", true);
        ArrayNode managed = meta.putArray("managedFields");
        managed.add(managedEntry("kube-controller-manager", "Update", null, fieldsOf(
                "{\"f:metadata\":{\"f:generateName\":{},\"f:labels\":{\".\":{},\"f:app.kubernetes.io/name\":{},"
                        + "\"f:app.kubernetes.io/part-of\":{},\"f:pod-template-hash\":{}},\"f:ownerReferences\":{\".\":{},"
                        + "\"k:{\\\"uid\\\":\\\"5c3e8f1a-7d2b-4e6a-9f01-2b3c4d5e6f70\\\"}\":{}}},\"f:spec\":{\"f:containers\":{"
                        + "\"k:{\\\"name\\\":\\\"app\\\"}\":{\".\":{},\"f:env\":{},\"f:image\":{},\"f:imagePullPolicy\":{},"
                        + "\"f:livenessProbe\":{},\"f:name\":{},\"f:ports\":{},\"f:readinessProbe\":{},\"f:resources\":{},"
                        + "\"f:terminationMessagePath\":{},\"f:terminationMessagePolicy\":{},\"f:volumeMounts\":{}},"
                        + "\"k:{\\\"name\\\":\\\"envoy\\\"}\":{\".\":{},\"f:image\":{},\"f:name\":{},\"f:resources\":{}}},"
                        + "\"f:dnsPolicy\":{},\"f:enableServiceLinks\":{},\"f:restartPolicy\":{},\"f:schedulerName\":{},"
                        + "\"f:securityContext\":{},\"f:serviceAccount\":{},\"f:serviceAccountName\":{},"
                        + "\"f:terminationGracePeriodSeconds\":{},\"f:volumes\":{}}}")));
        managed.add(managedEntry("kubelet", "Update", "status", fieldsOf(
                "{\"f:status\":{\"f:conditions\":{\"k:{\\\"type\\\":\\\"ContainersReady\\\"}\":{\".\":{},"
                        + "\"f:lastProbeTime\":{},\"f:lastTransitionTime\":{},\"f:status\":{},\"f:type\":{}},"
                        + "\"k:{\\\"type\\\":\\\"Initialized\\\"}\":{\".\":{},\"f:lastProbeTime\":{},\"f:lastTransitionTime\":{},"
                        + "\"f:status\":{},\"f:type\":{}},\"k:{\\\"type\\\":\\\"PodReadyToStartContainers\\\"}\":{\".\":{},"
                        + "\"f:lastProbeTime\":{},\"f:lastTransitionTime\":{},\"f:status\":{},\"f:type\":{}},"
                        + "\"k:{\\\"type\\\":\\\"Ready\\\"}\":{\".\":{},\"f:lastProbeTime\":{},\"f:lastTransitionTime\":{},"
                        + "\"f:status\":{},\"f:type\":{}}},\"f:containerStatuses\":{},\"f:hostIP\":{},\"f:hostIPs\":{},"
                        + "\"f:phase\":{},\"f:podIP\":{},\"f:podIPs\":{\".\":{},\"k:{\\\"ip\\\":\\\"10.1.2.3\\\"}\":{"
                        + "\".\":{},\"f:ip\":{}}},\"f:startTime\":{}}}")));
        ObjectNode spec = ((ObjectNode) template.get("spec")).deepCopy();
        for (JsonNode container : spec.path("containers")) {
            ((ObjectNode) container).withArray("volumeMounts").addObject().put("name", "kube-api-access-" + hex(3).substring(0, 5))
                    .put("readOnly", true).put("mountPath", "/var/run/secrets/kubernetes.io/serviceaccount");
        }
        ObjectNode projected = spec.withArray("volumes").addObject().put("name", "kube-api-access").putObject("projected")
                .put("defaultMode", 420);
        ArrayNode sources = projected.putArray("sources");
        sources.addObject().putObject("serviceAccountToken").put("expirationSeconds", 3607).put("path", "token");
        sources.addObject().putObject("configMap").put("name", "kube-root-ca.crt").putArray("items").addObject()
                .put("key", "ca.crt").put("path", "ca.crt");
        spec.put("nodeName", node).put("enableServiceLinks", true).put("preemptionPolicy", "PreemptLowerPriority")
                .put("priority", 0);
        ArrayNode tolerations = spec.putArray("tolerations");
        tolerations.addObject().put("key", "node.kubernetes.io/not-ready").put("operator", "Exists")
                .put("effect", "NoExecute").put("tolerationSeconds", 300);
        tolerations.addObject().put("key", "node.kubernetes.io/unreachable").put("operator", "Exists")
                .put("effect", "NoExecute").put("tolerationSeconds", 300);
        pod.set("spec", spec);
        ObjectNode status = pod.putObject("status").put("phase", "Running").put("qosClass", "Burstable")
                .put("hostIP", "10.0.0.1").put("podIP", "10.1." + random.nextInt(256) + "." + random.nextInt(256))
                .put("startTime", created);
        ArrayNode conditions = status.putArray("conditions");
        for (String type : new String[]{"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"}) {
            conditions.addObject().put("type", type).put("status", "True").putNull("lastProbeTime")
                    .put("lastTransitionTime", created);
        }
        ArrayNode statuses = status.putArray("containerStatuses");
        for (JsonNode container : spec.path("containers")) {
            ObjectNode cs = statuses.addObject().put("name", container.path("name").asText())
                    .put("image", container.path("image").asText())
                    .put("imageID", container.path("image").asText().replaceAll(":[^:/]+$", "") + "@sha256:" + hex(32))
                    .put("containerID", "containerd://" + hex(32)).put("ready", true).put("restartCount", 0)
                    .put("started", true);
            cs.putObject("state").putObject("running").put("startedAt", created);
            cs.putObject("lastState");
        }
        return pod;
    }
}
