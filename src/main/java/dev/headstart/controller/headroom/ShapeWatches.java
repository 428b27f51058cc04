package dev.headstart.controller.headroom;

import dev.headstart.controller.OnChange;
import dev.headstart.controller.informers.CachedKind;
import dev.headstart.controller.informers.SharedInformers;
import dev.headstart.controller.informers.Subscription;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One watch per {@code shapeFrom} workload, selected by name ({@code fieldSelector=metadata.name=...}
 * in its namespace), so a pool's shape follows a change of the workload's pod template within the
 * debounce instead of at the next resync. Each store keeps the one object's generation and the parts
 * of its pod template that make up its requests; nothing of any other workload is listed or kept
 * (no cluster-wide Deployment cache, which at 5,000 nodes would hold every Deployment for a few).
 * A status-only update (same generation) causes no pass. Leader only: follows the pools of the last pass.
 */
final class ShapeWatches {

    private static final List<String> FIELDS = List.of("metadata.generation", "spec.template.spec.containers",
            "spec.template.spec.initContainers", "spec.template.spec.overhead", "spec.template.spec.resources",
            "spec.template.spec.runtimeClassName");

    private final SharedInformers informers;
    private final Runnable changed;
    private final Map<HeadroomPool.WorkloadRef, Subscription<? extends HasMetadata>> watches = new HashMap<>();

    ShapeWatches(SharedInformers informers, Runnable changed) {
        this.informers = informers;
        this.changed = changed;
    }

    /** Whether the reconciler runs: a pass that ends after {@link #close()} must not open watches again. */
    private boolean open;

    synchronized void open() {
        open = true;
    }

    /** Watches exactly these workloads from now on. */
    synchronized void follow(Set<HeadroomPool.WorkloadRef> refs) {
        if (!open) {
            return;
        }
        watches.entrySet().removeIf(e -> {
            if (refs.contains(e.getKey())) {
                return false;
            }
            e.getValue().close();
            return true;
        });
        for (HeadroomPool.WorkloadRef ref : refs) {
            watches.computeIfAbsent(ref, this::watch);
        }
    }

    synchronized void close() {
        open = false;
        watches.values().forEach(Subscription::close);
        watches.clear();
    }

    /** The workload's pod spec from its watch; null when not watched or not listed yet (read it instead). */
    synchronized Optional<PodSpec> cached(HeadroomPool.WorkloadRef ref) {
        Subscription<? extends HasMetadata> watch = watches.get(ref);
        if (watch == null || !watch.hasSynced()) {
            return null;
        }
        HasMetadata object = watch.get(ref.namespace() + "/" + ref.name());
        if (object instanceof Deployment d && d.getSpec() != null && d.getSpec().getTemplate() != null) {
            return Optional.ofNullable(d.getSpec().getTemplate().getSpec());
        }
        if (object instanceof StatefulSet s && s.getSpec() != null && s.getSpec().getTemplate() != null) {
            return Optional.ofNullable(s.getSpec().getTemplate().getSpec());
        }
        return Optional.empty();
    }

    synchronized Set<HeadroomPool.WorkloadRef> watched() {
        return Set.copyOf(watches.keySet());
    }

    private Subscription<? extends HasMetadata> watch(HeadroomPool.WorkloadRef ref) {
        String name = "headroom-shape/" + ref.kind() + "/" + ref.namespace() + "/" + ref.name();
        if (ref.kind().equals("StatefulSet")) {
            return informers.subscribe(new CachedKind<>(name, StatefulSet.class, 2,
                    client -> client.apps().statefulSets().inNamespace(ref.namespace()).withField("metadata.name", ref.name()),
                    FIELDS, Map.of()), OnChange.<StatefulSet>when(ShapeWatches::specChanged, changed));
        }
        return informers.subscribe(new CachedKind<>(name, Deployment.class, 2,
                client -> client.apps().deployments().inNamespace(ref.namespace()).withField("metadata.name", ref.name()),
                FIELDS, Map.of()), OnChange.<Deployment>when(ShapeWatches::specChanged, changed));
    }

    private static boolean specChanged(HasMetadata before, HasMetadata after) {
        return !Objects.equals(before.getMetadata().getGeneration(), after.getMetadata().getGeneration());
    }
}
