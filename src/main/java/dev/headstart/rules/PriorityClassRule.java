package dev.headstart.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.text.OneLine;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code priority-class}: gives pods (and pod templates) that chose no priority class the
 * configured high class, in a way the Priority admission plugin accepts.
 *
 * <p>Facts from {@code plugin/pkg/admission/priority/admission.go} (kubernetes/kubernetes) this rule
 * is built on: the plugin runs before mutating webhooks, so a pod arrives with {@code priority} and
 * {@code preemptionPolicy} already resolved, and with the {@code globalDefault} class's name when
 * it named none. After a webhook patch the plugin runs again and forbids a pod whose
 * {@code priority} or {@code preemptionPolicy} differs from its class's. Hence: a pod gets name,
 * value and policy together; a template (copied verbatim into every pod, nothing resolves it) gets
 * the name only, and none at all when its own {@code priority}/{@code preemptionPolicy} disagree
 * with the class. Case table: DESIGN.md, "priority-class".
 */
public final class PriorityClassRule implements Rule {

    public static final String NAME = "priority-class";

    /** On a namespace: the class its pods get instead of the configured one, or {@code none}. */
    public static final String NAMESPACE_ANNOTATION = "headstart.dev/priority-class";

    /** The namespace annotation's value for "no class from Headstart here". */
    public static final String NONE = "none";

    /** How much of a value quoted from the object or namespace a warning repeats. */
    private static final int QUOTED_CHARS = 80;

    private static final Pattern CLASS_NAME =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private final String className;
    private final boolean excludeJobPods;
    private final PriorityClassCatalog catalog;
    private final NamespaceAnnotations namespaces;

    /**
     * @param excludeJobPods leave pods owned by a Job (so CronJob pods too), Jobs and CronJobs alone:
     *                       batch work should not preempt other teams' serving pods
     */
    public PriorityClassRule(String className, boolean excludeJobPods, PriorityClassCatalog catalog,
            NamespaceAnnotations namespaces) {
        this.className = className;
        this.excludeJobPods = excludeJobPods;
        this.catalog = catalog;
        this.namespaces = namespaces;
    }

    /** The defaults: Job pods excluded, no namespace annotations (offline). */
    public PriorityClassRule(String className, PriorityClassCatalog catalog) {
        this(className, true, catalog, NamespaceAnnotations.NONE);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean appliesTo(Workload workload) {
        return workload.podSpec() != null && !(excludeJobPods && isBatch(workload));
    }

    @Override
    public List<Finding> check(Workload workload) {
        Plan plan = plan(workload);
        return plan.finding == null ? List.of() : List.of(plan.finding);
    }

    @Override
    public boolean mutate(Workload workload, Warnings warnings) {
        Plan plan = plan(workload);
        if (plan.warning != null) {
            warnings.add(NAME, plan.warning);
        }
        if (plan.inject == null) {
            return false;
        }
        ObjectNode spec = workload.podSpec();
        spec.put("priorityClassName", plan.wanted);
        if (workload.isPod()) {
            spec.put("priority", plan.inject.value());
            spec.put("preemptionPolicy", plan.inject.preemptionPolicy());
        }
        return true;
    }

    /**
     * What to do, shared by check and mutate so they agree. {@code finding} is what check reports;
     * {@code inject} the class mutate writes (null: write nothing); {@code warning} why not.
     */
    private record Plan(Finding finding, String wanted, PriorityClassSpec inject, String warning) {
        static final Plan NOTHING = new Plan(null, null, null, null);
    }

    private Plan plan(Workload workload) {
        ObjectNode spec = workload.podSpec();
        String what = workload.isPod() ? "pod" : "pod template";
        String present = spec.path("priorityClassName").asText("");
        Optional<PriorityClassCatalog.NamedPriorityClass> globalDefault =
                catalog.ready() ? catalog.globalDefault() : Optional.empty();
        boolean filledByPlugin = workload.isPod() && globalDefault
                .filter(d -> d.name().equals(present) && agrees(spec, d.spec())).isPresent();
        if (!present.isEmpty() && !filledByPlugin) {
            return Plan.NOTHING; // the owner's choice
        }

        // Which class this workload should have: the namespace may choose another one, or none.
        if (!namespaces.ready()) {
            return decline(what, className, "namespace cache has not synced yet; class not injected");
        }
        String wanted = className;
        Optional<String> chosen = namespaces.annotation(workload.namespace(), NAMESPACE_ANNOTATION)
                .map(String::trim).filter(s -> !s.isEmpty());
        if (chosen.isPresent()) {
            if (chosen.get().equals(NONE)) {
                return Plan.NOTHING;
            }
            if (!CLASS_NAME.matcher(chosen.get()).matches() || chosen.get().startsWith("system-")) {
                return decline(what, className, "namespace " + workload.namespace() + " annotation "
                        + NAMESPACE_ANNOTATION + " '" + OneLine.of(chosen.get(), QUOTED_CHARS)
                        + "' is not a class Headstart gives (system- classes are not); class not injected");
            }
            wanted = chosen.get();
        }
        if (present.equals(wanted)) {
            return Plan.NOTHING; // the namespace's class is the cluster's default: already there
        }

        Finding gap = new Finding(NAME, filledByPlugin
                ? what + " has the cluster's default PriorityClass " + present + ", not " + wanted
                : what + " has no priorityClassName", "set spec.priorityClassName: " + wanted);
        if (!catalog.ready()) {
            return new Plan(gap, wanted, null, "PriorityClass cache has not synced yet; " + wanted + " not injected");
        }
        Optional<PriorityClassSpec> found = catalog.find(wanted);
        if (found.isEmpty()) {
            return new Plan(gap, wanted, null, "PriorityClass " + wanted + " does not exist in the cluster; not injected");
        }

        // Would the Priority plugin accept the result? A pod's own priority and policy must be what
        // the plugin resolved for "no class" (else the user set them, or the plugin is not there);
        // a template's are copied into every pod and must match the new class.
        PriorityClassSpec mustMatch = workload.isPod()
                ? globalDefault.map(PriorityClassCatalog.NamedPriorityClass::spec).orElse(PriorityClassSpec.NO_CLASS)
                : found.get();
        if (!agrees(spec, mustMatch)) {
            String conflict = what + " sets " + describe(spec) + ", which " + (workload.isPod()
                    ? "the Priority plugin did not resolve" : "differs from PriorityClass " + wanted + " ("
                    + found.get().value() + ", " + found.get().preemptionPolicy() + ")")
                    + "; " + wanted + " not added, its pods would be Forbidden";
            // The owner chose a priority: like a class of their own, it passes (enforce must not
            // deny it); the mutation says why nothing was added.
            return new Plan(null, wanted, null, conflict);
        }
        return new Plan(gap, wanted, found.get(), null);
    }

    private static Plan decline(String what, String wanted, String warning) {
        return new Plan(new Finding(NAME, what + " has no priorityClassName", "set spec.priorityClassName: " + wanted),
                wanted, null, warning);
    }

    /** Whether the spec's own priority and preemption policy, where set, are the class's. */
    private static boolean agrees(ObjectNode spec, PriorityClassSpec pc) {
        JsonNode priority = spec.get("priority");
        JsonNode policy = spec.get("preemptionPolicy");
        boolean priorityOk = priority == null || priority.isNull()
                || (priority.isIntegralNumber() && priority.canConvertToInt() && priority.intValue() == pc.value());
        boolean policyOk = policy == null || policy.isNull() || policy.asText("").equals(pc.preemptionPolicy());
        return priorityOk && policyOk;
    }

    private static String describe(ObjectNode spec) {
        StringBuilder s = new StringBuilder();
        JsonNode priority = spec.get("priority");
        if (priority != null && !priority.isNull()) {
            s.append("priority ").append(OneLine.of(priority.toString(), QUOTED_CHARS));
        }
        JsonNode policy = spec.get("preemptionPolicy");
        if (policy != null && !policy.isNull()) {
            s.append(s.isEmpty() ? "" : " and ").append("preemptionPolicy ").append(OneLine.of(policy.asText(policy.toString()), QUOTED_CHARS));
        }
        return s.toString();
    }

    /** Jobs, CronJobs, and pods a Job owns (a CronJob's pods are owned by its Jobs). */
    private static boolean isBatch(Workload workload) {
        if (workload.kind() == WorkloadKind.JOB || workload.kind() == WorkloadKind.CRON_JOB) {
            return true;
        }
        for (JsonNode owner : workload.root().path("metadata").path("ownerReferences")) {
            if ("Job".equals(owner.path("kind").asText()) && owner.path("apiVersion").asText("").startsWith("batch/")) {
                return true;
            }
        }
        return false;
    }
}
