package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code kube-proxy-hostname}: kube-proxy finds its Node object by hostname; where the hostname is
 * not the node name (EC2 private DNS names, custom hostnames) it waits and retries for minutes.
 * {@code --hostname-override=$(VAR)} with the node name from the downward API removes that.
 *
 * <p>{@code $(VAR)} expands from the container's own environment ({@code pkg/kubelet/container/helpers.go}),
 * so only a variable whose definition in that container is a {@code fieldRef} to
 * {@code spec.nodeName} may be referenced. The owner's variables are never changed: an existing
 * fieldRef variable is reused (NODE_NAME first); otherwise Headstart adds its own, NODE_NAME when
 * that name is free (no env entry of that name and no {@code envFrom} that could define it), else
 * {@value #OWN_VAR}. When even that name is taken by something else, the container is left alone
 * with a warning.
 */
public final class KubeProxyHostnameRule implements Rule {

    public static final String NAME = "kube-proxy-hostname";
    static final String FLAG = "--hostname-override";
    static final String NODE_NAME = "NODE_NAME";
    /** The variable Headstart adds when NODE_NAME is the owner's. */
    static final String OWN_VAR = "HEADSTART_NODE_NAME";

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
            if (!hasOverride(container) && !imageEntrypoint(container)) {
                findings.add(new Finding(NAME, "container " + container.path("name").asText("?")
                        + " runs kube-proxy without " + FLAG,
                        fix(container)));
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
            if (imageEntrypoint(container)) {
                warnings.add(NAME, "container " + container.path("name").asText("?") + " runs the image's own"
                        + " entrypoint (no command, no args): args would replace the image's CMD and its flags"
                        + " (such as --config); " + FLAG + " not added. To opt in, write the command or args"
                        + " kube-proxy runs in the manifest");
                continue;
            }
            JsonNode env = container.get("env");
            if (env != null && !env.isNull() && !env.isArray()) {
                warnings.add(NAME, "container " + container.path("name").asText("?") + ": env is not a list; left alone");
                continue;
            }
            String variable = nodeNameVariable(container);
            if (variable == null) {
                warnings.add(NAME, "container " + container.path("name").asText("?") + ": " + NODE_NAME + " and "
                        + OWN_VAR + " are both defined without fieldRef spec.nodeName; " + FLAG + " not added");
                continue;
            }
            if (!definesNodeName(container, variable)) {
                ObjectNode var = (env instanceof ArrayNode a ? a : container.putArray("env")).addObject();
                var.put("name", variable);
                // apiVersion as the API server defaults it, so the stored object equals ours (idempotency).
                var.putObject("valueFrom").putObject("fieldRef").put("apiVersion", "v1").put("fieldPath", "spec.nodeName");
            }
            flagList(container).add(FLAG + "=$(" + variable + ")");
            changed = true;
        }
        return changed;
    }

    private static String fix(ObjectNode container) {
        String variable = nodeNameVariable(container);
        if (variable == null) {
            return "add " + FLAG + "=$(VAR) with VAR an env var from fieldRef spec.nodeName";
        }
        return "add " + FLAG + "=$(" + variable + ")" + (definesNodeName(container, variable) ? ""
                : " and a " + variable + " env var from fieldRef spec.nodeName");
    }

    /**
     * The variable to reference: one the container already defines as the node name, else a name
     * Headstart may define without touching the owner's, else null.
     */
    static String nodeNameVariable(ObjectNode container) {
        if (definesNodeName(container, NODE_NAME)) {
            return NODE_NAME;
        }
        for (JsonNode var : envList(container)) {
            String name = var.path("name").asText("");
            if (!name.isEmpty() && definesNodeName(container, name)) {
                return name;
            }
        }
        boolean envFrom = container.path("envFrom").isArray() && !container.path("envFrom").isEmpty();
        if (!envFrom && lastDefinition(container, NODE_NAME) == null) {
            return NODE_NAME;
        }
        return lastDefinition(container, OWN_VAR) == null ? OWN_VAR : null;
    }

    /** Whether the container's (last, winning) env entry {@code name} is a fieldRef to spec.nodeName. */
    private static boolean definesNodeName(ObjectNode container, String name) {
        JsonNode var = lastDefinition(container, name);
        return var != null && !var.has("value")
                && "spec.nodeName".equals(var.path("valueFrom").path("fieldRef").path("fieldPath").asText());
    }

    /** The env entry named {@code name} that wins (the last one), or null. */
    private static JsonNode lastDefinition(ObjectNode container, String name) {
        JsonNode found = null;
        for (JsonNode var : envList(container)) {
            if (name.equals(var.path("name").asText())) {
                found = var;
            }
        }
        return found;
    }

    private static Iterable<JsonNode> envList(ObjectNode container) {
        JsonNode env = container.get("env");
        return env instanceof ArrayNode a ? a : List.of();
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

    /**
     * Whether the container runs the image's ENTRYPOINT and CMD as they are: writing {@code args}
     * would replace the CMD ({@code pkg/kubelet/kuberuntime/kuberuntime_container.go} passes
     * {@code command}/{@code args} to the runtime, which uses the image's only for what is empty),
     * dropping whatever flags the image carries, such as {@code --config}.
     */
    private static boolean imageEntrypoint(ObjectNode container) {
        return isEmptyList(container.get("command")) && isEmptyList(container.get("args"));
    }

    private static boolean isEmptyList(JsonNode list) {
        return list == null || list.isNull() || (list instanceof ArrayNode a && a.isEmpty());
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

    private static String basename(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
