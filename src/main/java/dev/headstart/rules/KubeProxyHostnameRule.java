package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code kube-proxy-hostname}: kube-proxy finds its Node object by hostname; where the hostname is
 * not the node name (EC2 private DNS names, custom hostnames) it waits and retries for minutes.
 * {@code --hostname-override=$(NODE_NAME)} with the node name from the downward API removes that.
 */
public final class KubeProxyHostnameRule implements Rule {

    public static final String NAME = "kube-proxy-hostname";
    static final String FLAG = "--hostname-override";
    static final String VALUE = FLAG + "=$(NODE_NAME)";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean appliesTo(Workload workload) {
        return workload.kind() == WorkloadKind.DAEMON_SET
                && workload.containers().stream().anyMatch(KubeProxyHostnameRule::runsKubeProxy);
    }

    @Override
    public List<Finding> check(Workload workload) {
        List<Finding> findings = new ArrayList<>();
        for (ObjectNode container : kubeProxyContainers(workload)) {
            if (!hasOverride(container)) {
                findings.add(new Finding(NAME, "container " + container.path("name").asText("?")
                        + " runs kube-proxy without " + FLAG,
                        "add " + VALUE + " and a NODE_NAME env var from fieldRef spec.nodeName"));
            }
        }
        return findings;
    }

    @Override
    public boolean mutate(Workload workload, Warnings warnings) {
        boolean changed = false;
        for (ObjectNode container : kubeProxyContainers(workload)) {
            if (hasOverride(container)) {
                continue;
            }
            flagList(container).add(VALUE);
            addNodeNameEnv(container);
            changed = true;
        }
        return changed;
    }

    private static List<ObjectNode> kubeProxyContainers(Workload workload) {
        return workload.containers().stream().filter(KubeProxyHostnameRule::runsKubeProxy).toList();
    }

    /** The container's executable is kube-proxy: first command element, else its image. */
    static boolean runsKubeProxy(ObjectNode container) {
        JsonNode command = container.get("command");
        if (command instanceof ArrayNode a && !a.isEmpty()) {
            return basename(a.get(0).asText()).equals("kube-proxy");
        }
        String image = container.path("image").asText("");
        String repository = image.split("[@]")[0].replaceFirst(":[^:/]*$", "");
        return basename(repository).equals("kube-proxy");
    }

    private static boolean hasOverride(ObjectNode container) {
        return containsFlag(container.get("command")) || containsFlag(container.get("args"));
    }

    private static boolean containsFlag(JsonNode list) {
        if (list instanceof ArrayNode a) {
            for (JsonNode item : a) {
                String s = item.asText();
                if (s.equals(FLAG) || s.startsWith(FLAG + "=")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Where the flags are: args when it has any, else a command that runs kube-proxy, else new args. */
    private static ArrayNode flagList(ObjectNode container) {
        JsonNode args = container.get("args");
        if (args instanceof ArrayNode a && !a.isEmpty()) {
            return a;
        }
        JsonNode command = container.get("command");
        if (command instanceof ArrayNode c && !c.isEmpty()) {
            return c;
        }
        return args instanceof ArrayNode a ? a : container.putArray("args");
    }

    private static void addNodeNameEnv(ObjectNode container) {
        JsonNode env = container.get("env");
        ArrayNode list = env instanceof ArrayNode a ? a : container.putArray("env");
        for (JsonNode var : list) {
            if ("NODE_NAME".equals(var.path("name").asText())) {
                return;
            }
        }
        ObjectNode var = list.addObject();
        var.put("name", "NODE_NAME");
        // apiVersion as the API server defaults it, so the stored object equals ours (idempotency).
        var.putObject("valueFrom").putObject("fieldRef").put("apiVersion", "v1").put("fieldPath", "spec.nodeName");
    }

    private static String basename(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
