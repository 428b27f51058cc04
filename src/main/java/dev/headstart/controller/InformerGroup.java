package dev.headstart.controller;

import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The informers of one reconciler: started together, synced together, closed together. */
public final class InformerGroup {

    private static final Logger LOG = Logger.getLogger(InformerGroup.class);

    private final String owner;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

    /** @param owner the reconciler's name, for the log */
    public InformerGroup(String owner) {
        this.owner = owner;
    }

    public synchronized <T> SharedIndexInformer<T> add(SharedIndexInformer<T> informer) {
        informers.add(informer);
        return informer;
    }

    /** Starts every informer added; completes when all have listed, and logs once if one could not. */
    public synchronized CompletableFuture<Void> start() {
        return CompletableFuture.allOf(informers.stream()
                        .map(informer -> informer.start().toCompletableFuture())
                        .toArray(CompletableFuture[]::new))
                .whenComplete((ignored, error) -> {
                    if (error != null) {
                        LOG.warnf("%s informers did not start: %s", owner, error.toString());
                    }
                });
    }

    /** Closes and forgets every informer; a failure to close one does not keep the others open. */
    public synchronized void close() {
        for (SharedIndexInformer<?> informer : informers) {
            try {
                informer.close();
            } catch (RuntimeException e) {
                LOG.debugf("closing a %s informer: %s", owner, e.toString());
            }
        }
        informers.clear();
    }
}
