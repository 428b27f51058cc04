package dev.headstart.controller;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * An informer handler for reconcilers that react the same way to every add and update, and to a
 * delete either the same way or with their own action.
 */
public final class OnChange<T> implements ResourceEventHandler<T> {

    private final Consumer<T> changed;
    private final Consumer<T> deleted;

    public OnChange(Consumer<T> changed) {
        this(changed, changed);
    }

    public OnChange(Consumer<T> changed, Consumer<T> deleted) {
        this.changed = changed;
        this.deleted = deleted;
    }

    /** For reconcilers that only need to know that something changed. */
    public static <T> OnChange<T> run(Runnable action) {
        return new OnChange<>(ignored -> action.run());
    }

    /**
     * Runs the action on every add and delete, and on an update only when {@code relevant(before,
     * after)}: objects whose status moves all the time (node heartbeats, DaemonSet counts) cause no
     * work unless what the reconciler reads changed.
     */
    public static <T> ResourceEventHandler<T> when(BiPredicate<T, T> relevant, Runnable action) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                action.run();
            }

            @Override
            public void onUpdate(T before, T after) {
                if (relevant.test(before, after)) {
                    action.run();
                }
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                action.run();
            }
        };
    }

    @Override
    public void onAdd(T obj) {
        changed.accept(obj);
    }

    @Override
    public void onUpdate(T oldObj, T newObj) {
        changed.accept(newObj);
    }

    @Override
    public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        deleted.accept(obj);
    }
}
