package dev.headstart.controller.imagecache;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Brings the cache DaemonSets in line with the planned ones: creates the missing, rewrites one only
 * when its pod-template hash differs (so a plan that changes nothing writes nothing), and deletes
 * those that carry Headstart's labels and are no longer planned (the old per-namespace
 * {@code headstart-image-cache} included). A DaemonSet of the same name without Headstart's labels
 * is a user's: left alone, with one warning. Failures go up; the reconciler retries the pass.
 */
final class ImageCacheWriter {

    private static final Logger LOG = Logger.getLogger(ImageCacheWriter.class);

    private final Supplier<KubernetesClient> client;
    private final AtomicLong writes = new AtomicLong();
    private final Set<String> warnedNotOurs = new TreeSet<>();

    ImageCacheWriter(Supplier<KubernetesClient> client) {
        this.client = client;
    }

    /** Writes {@code desired} over {@code existing} (what the cache-DaemonSet informer holds). */
    void apply(Collection<DaemonSet> desired, Collection<DaemonSet> existing) {
        Map<String, DaemonSet> wanted = new LinkedHashMap<>();
        desired.forEach(d -> wanted.put(key(d), d));
        Map<String, DaemonSet> present = new HashMap<>();
        existing.forEach(d -> present.put(key(d), d));
        for (DaemonSet want : wanted.values()) {
            write(want, present.get(key(want)));
        }
        for (DaemonSet have : present.values()) {
            if (ImageCacheDaemonSet.isOurs(have) && !wanted.containsKey(key(have))) {
                client.get().apps().daemonSets().inNamespace(have.getMetadata().getNamespace())
                        .withName(have.getMetadata().getName()).delete();
                writes.incrementAndGet();
                LOG.infof("image cache: %s removed (no longer planned)", key(have));
            }
        }
    }

    private void write(DaemonSet want, DaemonSet have) {
        String namespace = want.getMetadata().getNamespace();
        String name = want.getMetadata().getName();
        if (have != null && !ImageCacheDaemonSet.isOurs(have)) {
            warnNotOurs(namespace + "/" + name);
            return;
        }
        if (have == null) {
            try {
                client.get().apps().daemonSets().inNamespace(namespace).resource(want).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409) {
                    warnNotOurs(namespace + "/" + name); // exists without our labels
                    return;
                }
                throw e;
            }
            writes.incrementAndGet();
            LOG.infof("image cache: %s/%s created with %d images", namespace, name, images(want).size());
        } else if (!Objects.equals(ImageCacheDaemonSet.hashOf(have), ImageCacheDaemonSet.hashOf(want))) {
            client.get().apps().daemonSets().inNamespace(namespace).withName(name).edit(current -> new DaemonSetBuilder(current)
                    .editMetadata()
                        .addToLabels(want.getMetadata().getLabels())
                        .addToAnnotations(want.getMetadata().getAnnotations())
                    .endMetadata()
                    .editSpec()
                        .withTemplate(want.getSpec().getTemplate())
                        .withUpdateStrategy(want.getSpec().getUpdateStrategy())
                    .endSpec()
                    .build());
            writes.incrementAndGet();
            LOG.infof("image cache: %s/%s updated to %d images", namespace, name, images(want).size());
        }
    }

    private synchronized void warnNotOurs(String key) {
        if (warnedNotOurs.add(key)) {
            LOG.warnf("image cache: %s exists and is not managed by Headstart; leaving it alone", key);
        }
    }

    /** DaemonSet creates, updates and deletes made (tests). */
    long writes() {
        return writes.get();
    }

    private static String key(DaemonSet daemonSet) {
        return daemonSet.getMetadata().getNamespace() + "/" + daemonSet.getMetadata().getName();
    }

    private static List<String> images(DaemonSet daemonSet) {
        return daemonSet.getSpec().getTemplate().getSpec().getContainers().stream().map(Container::getImage).toList();
    }
}
