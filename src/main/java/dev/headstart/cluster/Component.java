package dev.headstart.cluster;

import dev.headstart.config.HeadstartConfig;

/**
 * Which part of Headstart talks to the API server. Each part sends its own {@code User-Agent}
 * ({@code headstart-webhook/0.1.0}, {@code headstart-controller/0.1.0}), so API-server audit logs
 * (and the tests' RBAC check) can tell the two containers apart although they share a ServiceAccount.
 * The report purge of an uninstall runs as a third part with its own account.
 */
public enum Component {
    WEBHOOK("headstart-webhook"),
    CONTROLLER("headstart-controller"),
    /** {@code headstart reports purge}, the Helm chart's pre-delete hook: its own ServiceAccount and ClusterRole. */
    REPORT_PURGE("headstart-report-purge");

    private final String product;

    Component(String product) {
        this.product = product;
    }

    /** The role this process runs as. */
    public static Component of(HeadstartConfig config) {
        return config.isController() ? CONTROLLER : WEBHOOK;
    }

    /** {@code headstart-controller}: also the name of this component's Roles in the manifests. */
    public String product() {
        return product;
    }

    /** A User-Agent in the RFC 9110 product/version form. */
    public String userAgent(String version) {
        String v = version == null || version.isBlank() ? "unknown" : version.trim().replaceAll("[^A-Za-z0-9._+-]", "_");
        return product + "/" + v;
    }

    /** The component a User-Agent names, if it is one of ours. */
    public static java.util.Optional<Component> fromUserAgent(String userAgent) {
        if (userAgent == null) {
            return java.util.Optional.empty();
        }
        for (Component c : values()) {
            if (userAgent.startsWith(c.product + "/")) {
                return java.util.Optional.of(c);
            }
        }
        return java.util.Optional.empty();
    }
}
