package dev.headstart.controller.informers;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The image-cache pods' store, compact: per pod only what the image cache and the warm pool read —
 * resourceVersion, node, the kept labels and annotations, and per container its name and state
 * (running or terminated since when, or waiting and why; the message only where it is not
 * running) — with repeated strings (names, reasons, labels, the images list shared by every pod of a
 * DaemonSet) interned and times as numbers. A cache pod holds one container per image, so fabric8's
 * {@code ReducedStateItemStore}, which keeps each kept field as a map tree (a container status with
 * its image and container ids), cost about 1.6 KiB per (node, image); this about 100 bytes
 * (docs/controller.md, "The image-cache pod informer's memory"). Reads rebuild a Pod with those
 * fields and nothing else.
 */
final class CachePodStore implements ItemStore<Pod> {

    private static final byte NONE = 0;
    private static final byte RUNNING = 1;
    private static final byte WAITING = 2;
    private static final byte TERMINATED = 3;
    private static final long UNKNOWN = Long.MIN_VALUE;

    private final Set<String> keptLabels;
    private final Set<String> keptAnnotations;
    private final ConcurrentHashMap<String, Entry> store = new ConcurrentHashMap<>();

    /** One container's state: all the pod statuses say that completion reads. */
    private record Slim(String name, byte state, String reason, String message, long startedAt, long lastStartedAt) {
    }

    private record Entry(String resourceVersion, String nodeName, Map<String, String> labels,
            Map<String, String> annotations, Slim[] containers, Slim[] initContainers) {
    }

    CachePodStore(Set<String> keptLabels, Set<String> keptAnnotations) {
        this.keptLabels = Set.copyOf(keptLabels);
        this.keptAnnotations = Set.copyOf(keptAnnotations);
    }

    @Override
    public String getKey(Pod obj) {
        return Cache.metaNamespaceKeyFunc(obj);
    }

    @Override
    public Pod put(String key, Pod obj) {
        return restore(key, store.put(key, slim(obj)));
    }

    @Override
    public Pod remove(String key) {
        return restore(key, store.remove(key));
    }

    @Override
    public Stream<String> keySet() {
        return store.keySet().stream();
    }

    @Override
    public Stream<Pod> values() {
        return store.entrySet().stream().map(e -> restore(e.getKey(), e.getValue()));
    }

    @Override
    public int size() {
        return store.size();
    }

    @Override
    public Pod get(String key) {
        return restore(key, store.get(key));
    }

    @Override
    public boolean isFullState() {
        return false;
    }

    private Entry slim(Pod pod) {
        var metadata = pod.getMetadata();
        return new Entry(metadata.getResourceVersion(),
                pod.getSpec() == null ? null : intern(pod.getSpec().getNodeName()),
                kept(metadata.getLabels(), keptLabels),
                kept(metadata.getAnnotations(), keptAnnotations),
                pod.getStatus() == null ? null : slim(pod.getStatus().getContainerStatuses()),
                pod.getStatus() == null ? null : slim(pod.getStatus().getInitContainerStatuses()));
    }

    private static Map<String, String> kept(Map<String, String> all, Set<String> keys) {
        if (all == null) {
            return null;
        }
        Map<String, String> kept = null;
        for (String key : keys) {
            String value = all.get(key);
            if (value != null) {
                kept = kept == null ? new LinkedHashMap<>(2) : kept;
                kept.put(key.intern(), value.intern());
            }
        }
        return kept;
    }

    private static Slim[] slim(List<ContainerStatus> statuses) {
        if (statuses == null) {
            return null;
        }
        Slim[] out = new Slim[statuses.size()];
        for (int i = 0; i < out.length; i++) {
            ContainerStatus status = statuses.get(i);
            ContainerState state = status.getState();
            long last = status.getLastState() == null || status.getLastState().getTerminated() == null ? UNKNOWN
                    : time(status.getLastState().getTerminated().getStartedAt());
            if (state != null && state.getRunning() != null) {
                out[i] = new Slim(intern(status.getName()), RUNNING, null, null, time(state.getRunning().getStartedAt()), last);
            } else if (state != null && state.getTerminated() != null) {
                out[i] = new Slim(intern(status.getName()), TERMINATED, intern(state.getTerminated().getReason()),
                        state.getTerminated().getMessage(), time(state.getTerminated().getStartedAt()), last);
            } else if (state != null && state.getWaiting() != null) {
                out[i] = new Slim(intern(status.getName()), WAITING, intern(state.getWaiting().getReason()),
                        state.getWaiting().getMessage(), UNKNOWN, last);
            } else {
                out[i] = new Slim(intern(status.getName()), NONE, null, null, UNKNOWN, last);
            }
        }
        return out;
    }

    private static Pod restore(String key, Entry entry) {
        if (entry == null) {
            return null;
        }
        int slash = key.indexOf('/');
        return new Pod("v1", "Pod",
                new ObjectMetaBuilder()
                        .withNamespace(slash < 0 ? null : key.substring(0, slash))
                        .withName(slash < 0 ? key : key.substring(slash + 1))
                        .withResourceVersion(entry.resourceVersion())
                        .withLabels(entry.labels() == null ? null : new LinkedHashMap<>(entry.labels()))
                        .withAnnotations(entry.annotations() == null ? null : new LinkedHashMap<>(entry.annotations()))
                        .build(),
                new PodSpecBuilder().withNodeName(entry.nodeName()).build(),
                entry.containers() == null && entry.initContainers() == null ? null : new PodStatusBuilder()
                        .withContainerStatuses(restore(entry.containers()))
                        .withInitContainerStatuses(restore(entry.initContainers()))
                        .build());
    }

    private static List<ContainerStatus> restore(Slim[] slims) {
        if (slims == null) {
            return null;
        }
        List<ContainerStatus> statuses = new ArrayList<>(slims.length);
        for (Slim slim : slims) {
            ContainerStateBuilder state = new ContainerStateBuilder();
            switch (slim.state()) {
                case RUNNING -> state.withNewRunning().withStartedAt(text(slim.startedAt())).endRunning();
                case TERMINATED -> state.withNewTerminated().withReason(slim.reason()).withMessage(slim.message())
                        .withStartedAt(text(slim.startedAt())).endTerminated();
                case WAITING -> state.withNewWaiting().withReason(slim.reason()).withMessage(slim.message()).endWaiting();
                default -> { }
            }
            ContainerStatusBuilder status = new ContainerStatusBuilder().withName(slim.name());
            if (slim.state() != NONE) {
                status.withState(state.build());
            }
            if (slim.lastStartedAt() != UNKNOWN) {
                status.withNewLastState().withNewTerminated().withStartedAt(text(slim.lastStartedAt())).endTerminated()
                        .endLastState();
            }
            statuses.add(status.build());
        }
        return statuses;
    }

    private static String intern(String text) {
        return text == null ? null : text.intern();
    }

    private static long time(String text) {
        if (text == null || text.isBlank()) {
            return UNKNOWN;
        }
        try {
            return OffsetDateTime.parse(text).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return UNKNOWN;
        }
    }

    private static String text(long epochMillis) {
        return epochMillis == UNKNOWN ? null : Instant.ofEpochMilli(epochMillis).toString();
    }
}
