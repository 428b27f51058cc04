package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code api-wait}: node DaemonSets named in configuration get a first init container that waits
 * until the Kubernetes API answers a TCP connection. On a fresh node the kubelet may start pods
 * before service environment variables exist; the init container then exits non-zero so the
 * kubelet retries it, instead of the DaemonSet's own container crash-looping with back-off.
 *
 * <p>Inert unless the operator names both the DaemonSets and the image: an init container on a CNI
 * DaemonSet that cannot pull its image keeps the CNI, and so every new node, from ever turning
 * Ready. Modern VPC CNI versions wait for the API themselves; the image belongs in the nodes' own
 * registry (an ECR pull-through cache, say), which only the operator knows.
 */
public final class ApiWaitRule implements Rule {

    public static final String NAME = "api-wait";
    public static final String CONTAINER_NAME = "headstart-api-wait";

    private final Set<String> daemonSets;
    private final String image;
    private final int timeoutSeconds;
    private final Map<String, String> requests;
    private final Map<String, String> limits;

    /**
     * DaemonSet names of the node's Service proxy: kube-proxy, and the agents that replace it
     * (Cilium's agent with kube-proxy replacement, Calico's node in eBPF mode). They program the
     * Service IP the wait connects to, so waiting for it in front of them waits forever.
     */
    static final Set<String> SERVICE_PROXY_NAMES = Set.of("kube-proxy", "cilium", "calico-node");

    public ApiWaitRule(Set<String> daemonSets, String image, int timeoutSeconds,
            Map<String, String> requests, Map<String, String> limits) {
        refusal(daemonSets).ifPresent(reason -> {
            throw new IllegalArgumentException(reason);
        });
        this.daemonSets = daemonSets;
        this.image = image;
        this.timeoutSeconds = timeoutSeconds;
        this.requests = requests;
        this.limits = limits;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean appliesTo(Workload workload) {
        return active() && workload.kind() == WorkloadKind.DAEMON_SET && workload.podSpec() != null
                && daemonSets.contains(workload.namespace() + "/" + workload.name())
                && !windows(workload.podSpec())
                && workload.containers().stream().noneMatch(ApiWaitRule::runsServiceProxy);
    }

    /**
     * A Windows pod: {@code spec.os.name: windows} (where validation forbids every Linux security
     * field, {@code pkg/apis/core/validation/validation.go}, {@code validateWindows}) or a node
     * selector for Windows nodes. The wait is a Linux shell script; it has no place there.
     */
    static boolean windows(ObjectNode spec) {
        return "windows".equals(spec.path("os").path("name").asText())
                || "windows".equals(spec.path("nodeSelector").path("kubernetes.io/os").asText());
    }

    /** A container whose image is kube-proxy, Cilium's agent or Calico's node (however the DaemonSet is named). */
    static boolean runsServiceProxy(ObjectNode container) {
        String repository = container.path("image").asText("").split("@")[0].replaceFirst(":[^:/]*$", "");
        String base = repository.substring(repository.lastIndexOf('/') + 1);
        return base.equals("kube-proxy") || base.equals("cilium") || repository.endsWith("calico/node");
    }

    /**
     * Why these DaemonSets cannot get the wait, in one line, or empty. Calico's node is refused in
     * every mode: whether it runs the eBPF dataplane is in its Installation or FelixConfiguration,
     * which configuration cannot see, and in eBPF mode the wait would keep every new node from
     * turning Ready.
     */
    public static java.util.Optional<String> refusal(Set<String> daemonSets) {
        List<String> proxies = daemonSets.stream().filter(d -> SERVICE_PROXY_NAMES.contains(d.substring(d.indexOf('/') + 1)))
                .sorted().toList();
        if (proxies.isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("headstart.api-wait.daemonsets names " + String.join(", ", proxies)
                + ": kube-proxy and its replacements (Cilium agent, Calico node) program the Service IP the wait"
                + " connects to, so it would wait forever; remove " + (proxies.size() == 1 ? "it" : "them"));
    }

    /** Whether the operator configured the rule: DaemonSets and an image, both. */
    public boolean active() {
        return !daemonSets.isEmpty() && image != null && !image.isBlank();
    }

    @Override
    public List<Finding> check(Workload workload) {
        if (hasWaitContainer(workload)) {
            return List.of();
        }
        return List.of(new Finding(NAME, "DaemonSet " + workload.name()
                + " has no init container waiting for the Kubernetes API",
                "add a first init container that waits for a TCP connection to "
                        + "$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT"));
    }

    @Override
    public boolean insertsArrayElements() {
        return true; // the wait goes first among the init containers
    }

    @Override
    public boolean mutate(Workload workload, Warnings warnings) {
        if (hasWaitContainer(workload)) {
            return false;
        }
        ObjectNode spec = workload.podSpec();
        JsonNode existing = spec.get("initContainers");
        ArrayNode initContainers = existing instanceof ArrayNode a ? a : spec.putArray("initContainers");
        initContainers.insert(0, waitContainer(spec));
        return true;
    }

    private static boolean hasWaitContainer(Workload workload) {
        return workload.initContainers().stream()
                .anyMatch(c -> CONTAINER_NAME.equals(c.path("name").asText()));
    }

    private ObjectNode waitContainer(ObjectNode spec) {
        ObjectNode c = spec.objectNode();
        c.put("name", CONTAINER_NAME);
        c.put("image", image);
        c.put("imagePullPolicy", "IfNotPresent");
        c.putArray("command").add("sh").add("-c").add(script());
        // Requests and limits both: a ResourceQuota on limits.cpu or limits.memory rejects a pod
        // with a container that sets none (pkg/quota/v1/evaluator/core/pods.go).
        ObjectNode resources = c.putObject("resources");
        requests.forEach(resources.putObject("requests")::put);
        if (!limits.isEmpty()) {
            limits.forEach(resources.putObject("limits")::put);
        }
        // Pod Security "restricted" (staging/src/k8s.io/pod-security-admission/policy/): no privilege
        // escalation, every capability dropped, non-root, a RuntimeDefault seccomp profile.
        ObjectNode security = c.putObject("securityContext");
        security.put("allowPrivilegeEscalation", false);
        security.put("readOnlyRootFilesystem", true);
        security.put("runAsNonRoot", true);
        security.put("runAsUser", 65534);
        security.putObject("capabilities").putArray("drop").add("ALL");
        security.putObject("seccompProfile").put("type", "RuntimeDefault");
        // As the API server defaults them, so the stored container is what Headstart recorded writing.
        c.put("terminationMessagePath", "/dev/termination-log");
        c.put("terminationMessagePolicy", "File");
        return c;
    }

    /** Exits 1 when the service variables are missing (kubelet retries), 0 once the API answers. */
    String script() {
        return "if [ -z \"${KUBERNETES_SERVICE_HOST:-}\" ]; then"
                + " echo 'KUBERNETES_SERVICE_HOST is not set yet'; exit 1; fi; "
                + "deadline=$(( $(date +%s) + " + timeoutSeconds + " )); "
                + "until nc -z -w 2 \"$KUBERNETES_SERVICE_HOST\" \"${KUBERNETES_SERVICE_PORT:-443}\"; do "
                + "if [ $(date +%s) -ge $deadline ]; then"
                + " echo 'Kubernetes API not reachable after " + timeoutSeconds + "s'; exit 1; fi; "
                + "sleep 1; done; echo 'Kubernetes API reachable'";
    }
}
