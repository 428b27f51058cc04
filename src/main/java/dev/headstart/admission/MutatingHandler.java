package dev.headstart.admission;

import dev.headstart.rules.Mutation;
import dev.headstart.rules.RuleEngine;
import dev.headstart.rules.Workload;
import dev.headstart.rules.WorkloadKind;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Optional;

/**
 * {@code /mutate}: Pods on CREATE (their spec is immutable afterwards) and DaemonSets on CREATE and
 * UPDATE come out with every gap filled. An UPDATE is judged against the stored object
 * ({@code oldObject}): a re-apply or a change outside the pod template keeps the stored template
 * exactly, so Headstart never starts a rollout the owner did not ask for. Everything else passes
 * without a patch.
 */
@Singleton
public class MutatingHandler implements AdmissionHandler {

    private final RuleEngine engine;
    private final AdmissionMetrics metrics;

    public MutatingHandler(RuleEngine engine, AdmissionMetrics metrics) {
        this.engine = engine;
        this.metrics = metrics;
    }

    @Override
    public AdmissionResponse handle(AdmissionRequest request) {
        Optional<Workload> workload = Workload.of(request.object(), request.namespace());
        if (workload.isEmpty() || !request.subResource().isEmpty() || !mutable(workload.get().kind(), request.operation())) {
            return AdmissionResponse.allow(request.uid(), List.of());
        }
        // On UPDATE the stored object tells Headstart's own fields from the owner's (RuleEngine#mutate(Workload, Workload)).
        Workload stored = request.operation().equals("UPDATE") && request.oldObject() != null
                ? Workload.of(request.oldObject(), request.namespace()).orElse(null) : null;
        Mutation mutation = engine.mutate(workload.get(), stored);
        mutation.applied().forEach(metrics::ruleApplied);
        return mutation.changed()
                ? AdmissionResponse.patch(request.uid(), mutation.patch(), mutation.warnings())
                : AdmissionResponse.allow(request.uid(), mutation.warnings());
    }

    private static boolean mutable(WorkloadKind kind, String operation) {
        return switch (kind) {
            case POD -> operation.equals("CREATE");
            case DAEMON_SET -> operation.equals("CREATE") || operation.equals("UPDATE");
            default -> false;
        };
    }
}
