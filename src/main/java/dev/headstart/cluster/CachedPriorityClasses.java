package dev.headstart.cluster;

import dev.headstart.rules.PriorityClassCatalog;
import dev.headstart.rules.PriorityClassSpec;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The priority-class rule's catalog read from a cache of the cluster's PriorityClasses: the
 * webhook's informer ({@link PriorityClassInformer}) and the controller's shared one (for the
 * background scan) both answer through this, so an admission and a scan judge a pod alike.
 */
public final class CachedPriorityClasses implements PriorityClassCatalog {

    private final BooleanSupplier synced;
    private final Function<String, PriorityClass> byName;
    private final Supplier<? extends Collection<PriorityClass>> all;

    /**
     * @param synced whether the cache holds the cluster's classes (until then nothing is "missing")
     * @param byName a class from the cache, or null
     * @param all    every cached class
     */
    public CachedPriorityClasses(BooleanSupplier synced, Function<String, PriorityClass> byName,
            Supplier<? extends Collection<PriorityClass>> all) {
        this.synced = synced;
        this.byName = byName;
        this.all = all;
    }

    /** Only a synced cache may say that a class does not exist. */
    @Override
    public boolean ready() {
        return synced.getAsBoolean();
    }

    @Override
    public Optional<PriorityClassSpec> find(String name) {
        PriorityClass found = name == null || name.isEmpty() ? null : byName.apply(name);
        if (found == null || found.getValue() == null) {
            return Optional.empty();
        }
        return Optional.of(new PriorityClassSpec(found.getValue(), found.getPreemptionPolicy()));
    }

    /** As the Priority plugin picks it: a {@code globalDefault} class, the lowest value when several are. */
    @Override
    public Optional<NamedPriorityClass> globalDefault() {
        return all.get().stream()
                .filter(pc -> Boolean.TRUE.equals(pc.getGlobalDefault()) && pc.getValue() != null
                        && pc.getMetadata() != null && pc.getMetadata().getName() != null)
                .min(Comparator.comparingInt(PriorityClass::getValue))
                .map(pc -> new NamedPriorityClass(pc.getMetadata().getName(),
                        new PriorityClassSpec(pc.getValue(), pc.getPreemptionPolicy())));
    }
}
