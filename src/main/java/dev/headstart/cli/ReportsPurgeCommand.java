package dev.headstart.cli;

import dev.headstart.cluster.Component;
import dev.headstart.report.ReportApi;
import dev.headstart.text.OneLine;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code headstart reports purge}: deletes the policy reports Headstart wrote (labelled
 * {@code app.kubernetes.io/managed-by=headstart}) in every namespace, and no other tool's. The Helm
 * chart runs it as a pre-delete hook; {@code make undeploy} does the same with kubectl.
 *
 * <p>An API the cluster does not serve (404 on its list: the CRD is absent) has nothing to delete;
 * a report already gone when its delete arrives (404) was deleted by someone else and is not
 * counted. Any other failure is one line and exit 1 (as every command that reads the cluster: 2 is a
 * usage error), so the hook fails and Helm says so.
 */
@Command(name = "purge", mixinStandardHelpOptions = true,
        description = {"Deletes Headstart's own policy reports (label app.kubernetes.io/managed-by=headstart) in every namespace:",
                "wgpolicyk8s.io/v1alpha2 policyreports and clusterpolicyreports, openreports.io/v1alpha1 reports and "
                        + "clusterreports where served. Other tools' reports are left alone."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:Headstart's reports deleted (or none there)", "1:the API server could not be reached, or refused",
                "2:usage error"})
public class ReportsPurgeCommand implements Callable<Integer> {

    /** The label Headstart's report writer puts on every report it owns. */
    static final String OWN_LABEL = "app.kubernetes.io/managed-by=headstart";

    /** The report APIs Headstart writes, in the order they are purged. */
    static final List<ResourceDefinitionContext> REPORTS = List.of(
            ReportApi.WGPOLICYK8S.context(),
            clusterScoped("wgpolicyk8s.io", "v1alpha2", "ClusterPolicyReport", "clusterpolicyreports"),
            ReportApi.OPENREPORTS.context(),
            clusterScoped("openreports.io", "v1alpha1", "ClusterReport", "clusterreports"));

    private static final long PAGE = 500;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Config config = LiveClusterConfig.kubeconfig(Duration.ofSeconds(30), Duration.ofSeconds(10))
                .withUserAgent(Component.REPORT_PURGE.userAgent(HeadstartVersion.version()))
                .build();
        List<String> counts = new ArrayList<>();
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
            for (ResourceDefinitionContext api : REPORTS) {
                int deleted = purge(client, api);
                counts.add(deleted < 0 ? api.getPlural() + " (" + api.getGroup() + "/" + api.getVersion() + " not served)"
                        : deleted + " " + api.getPlural());
            }
        } catch (KubernetesClientException e) {
            err.println("headstart: cannot purge reports at " + config.getMasterUrl() + ": " + OneLine.of(e));
            err.flush();
            return 1;
        }
        out.println("headstart: deleted " + String.join(", ", counts) + " labelled " + OWN_LABEL);
        out.flush();
        return 0;
    }

    /** How many of Headstart's reports of one API were deleted; -1 when the cluster does not serve the API. */
    static int purge(KubernetesClient client, ResourceDefinitionContext api) {
        var reports = client.genericKubernetesResources(api).inAnyNamespace();
        List<GenericKubernetesResource> own = new ArrayList<>();
        String continueToken = null;
        do {
            GenericKubernetesResourceList page;
            try {
                page = reports.list(new ListOptionsBuilder().withLabelSelector(OWN_LABEL).withLimit(PAGE)
                        .withContinue(continueToken).build());
            } catch (KubernetesClientException e) {
                if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                    return -1;
                }
                throw e;
            }
            own.addAll(page.getItems());
            continueToken = page.getMetadata() == null ? null : page.getMetadata().getContinue();
        } while (continueToken != null && !continueToken.isEmpty());
        int deleted = 0;
        for (GenericKubernetesResource report : own) {
            String namespace = report.getMetadata().getNamespace();
            var one = api.isNamespaceScoped()
                    ? client.genericKubernetesResources(api).inNamespace(namespace).withName(report.getMetadata().getName())
                    : client.genericKubernetesResources(api).withName(report.getMetadata().getName());
            // a 404 (gone meanwhile) is an empty result, not an exception, in fabric8's delete
            if (!one.delete().isEmpty()) {
                deleted++;
            }
        }
        return deleted;
    }

    /** The cluster-scoped report kinds (Headstart writes none, but purges any that carry its label). */
    private static ResourceDefinitionContext clusterScoped(String group, String version, String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
                .withPlural(plural).withNamespaced(false).build();
    }
}
