package dev.headstart.testing;

import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The wgpolicyk8s.io {@code PolicyReport} CRD as Headstart ships it (manifests/crds), so the mock
 * server serves the resource; the counterpart of {@link OpenReportsCrd}.
 */
public final class PolicyReportCrd {

    static final String FILE = "manifests/crds/policyreports.wgpolicyk8s.io.yaml";

    private PolicyReportCrd() {
    }

    public static void install(KubernetesClient client) {
        try (InputStream crd = new FileInputStream(FILE)) {
            client.apiextensions().v1().customResourceDefinitions().load(crd).create();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
