package dev.headstart.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * The two report APIs Headstart can write, with the same body shape (scope, summary, results of
 * source/policy/rule/result/severity/category/message/properties/timestamp):
 * {@code wgpolicyk8s.io/v1alpha2} PolicyReport, and {@code openreports.io/v1alpha1} Report, the
 * successor Kyverno 1.15 writes "to eventually deprecate wgpolicyk8s" (openreports/reports-api
 * {@code apis/openreports.io/v1alpha1/report_types.go}: plural {@code reports}, namespaced, a
 * report-level {@code source} beside each result's).
 */
public enum ReportApi {

    WGPOLICYK8S("wgpolicyk8s.io", "v1alpha2", "PolicyReport", "policyreports"),
    OPENREPORTS("openreports.io", "v1alpha1", "Report", "reports");

    private final String group;
    private final String version;
    private final String kind;
    private final ResourceDefinitionContext context;

    ReportApi(String group, String version, String kind, String plural) {
        this.group = group;
        this.version = version;
        this.kind = kind;
        // Explicit plural and scope, so no API discovery is needed to reach the custom resource.
        this.context = new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
                .withPlural(plural).withNamespaced(true).build();
    }

    public String apiVersion() {
        return group + "/" + version;
    }

    public String kind() {
        return kind;
    }

    /** {@code <plural>.<group>}, as RBAC and {@code kubectl} name it. */
    public String resource() {
        return context.getPlural() + "." + group;
    }

    public ResourceDefinitionContext context() {
        return context;
    }

    /** The setting's spelling: {@code wgpolicyk8s} or {@code openreports}. */
    public String settingName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The report {@link PolicyReportModel#build} made (wgpolicyk8s), as this API's: its apiVersion
     * and kind, OpenReports' report-level {@code source}, and the verdict digest recomputed (it covers
     * the apiVersion). Returns a changed copy; the argument is left alone.
     */
    public ObjectNode shape(ObjectNode report) {
        ObjectNode copy = report.deepCopy();
        copy.put("apiVersion", apiVersion());
        copy.put("kind", kind);
        if (this == OPENREPORTS) {
            copy.put("source", PolicyReportModel.SOURCE);
        }
        ObjectNode metadata = (ObjectNode) copy.path("metadata");
        if (metadata.has("annotations")) {
            ((ObjectNode) metadata.path("annotations")).put(PolicyReportModel.VERDICT_ANNOTATION,
                    PolicyReportModel.verdict(copy));
        }
        return copy;
    }
}
