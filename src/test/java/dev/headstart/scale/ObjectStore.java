package dev.headstart.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The simulated cluster's objects, kept as their serialized JSON (what an API server sends is bytes,
 * and 190,000 parsed objects would cost the simulator gigabytes), one sorted map per resource so
 * lists page in key order. One resourceVersion counter for all, as etcd's revision; every write
 * goes to the resource's recent-event history (for watches resuming from a version) and to its
 * live watches.
 */
final class ObjectStore {

    static final ObjectMapper MAPPER = new ObjectMapper();
    /**
     * Events kept per resource for watches that resume from a resourceVersion: 10 s of heartbeats
     * at 5,000 nodes. Older versions get 410 Expired and the client lists again, as with the real
     * API server's watch cache. A longer history would keep gigabytes of node versions alive.
     */
    private static final int HISTORY = 5_000;

    /** One stored object: its identity, what selectors look at, and its JSON. */
    record Stored(String namespace, String name, Map<String, String> labels, String nodeName, long resourceVersion,
                  byte[] json) {

        String key() {
            return key(namespace, name);
        }

        static String key(String namespace, String name) {
            return namespace == null ? name : namespace + "/" + name;
        }
    }

    /** A change, as a watch sends it: type and the object after the change (before it, for DELETED). */
    record Event(String type, Stored object, Stored previous) {
    }

    /** A live watch: what it selects and where its events go. */
    interface Watch {
        boolean selects(Stored object);

        void send(String type, Stored object);
    }

    final class Resource {
        final String group;
        final String plural;
        final String kind;
        final boolean namespaced;
        final NavigableMap<String, Stored> objects = new ConcurrentSkipListMap<>();
        private final ArrayDeque<Event> history = new ArrayDeque<>();
        private final List<Watch> watches = new CopyOnWriteArrayList<>();

        Resource(String group, String plural, String kind, boolean namespaced) {
            this.group = group;
            this.plural = plural;
            this.kind = kind;
            this.namespaced = namespaced;
        }

        /** "nodes", "apps/deployments": how the request log names the resource. */
        String id() {
            return group.isEmpty() ? plural : group + "/" + plural;
        }

        Stored get(String namespace, String name) {
            return objects.get(Stored.key(namespaced ? namespace : null, name));
        }

        /**
         * Registers a watch and replays, under the write lock, the events after {@code fromVersion}
         * (so none is lost or doubled). Returns false when that version is older than the history.
         */
        boolean watch(Watch watch, long fromVersion, Predicate<Stored> inScope) {
            synchronized (ObjectStore.this) {
                if (fromVersion <= 0) {
                    for (Stored object : objects.values()) {
                        if (inScope.test(object) && watch.selects(object)) {
                            watch.send("ADDED", object);
                        }
                    }
                } else {
                    if (evicted(fromVersion)) {
                        return false;
                    }
                    for (Event event : history) {
                        if (event.object().resourceVersion() > fromVersion) {
                            deliver(watch, event);
                        }
                    }
                }
                watches.add(watch);
                return true;
            }
        }

        void unwatch(Watch watch) {
            watches.remove(watch);
        }

        int watchCount() {
            return watches.size();
        }

        private boolean evicted(long fromVersion) {
            return evictedUpTo.getOrDefault(id(), 0L) > fromVersion;
        }

        private void record(Event event) {
            history.addLast(event);
            if (history.size() > HISTORY) {
                Event dropped = history.removeFirst();
                evictedUpTo.put(id(), dropped.object().resourceVersion());
            }
            for (Watch watch : watches) {
                deliver(watch, event);
            }
        }

        private void deliver(Watch watch, Event event) {
            boolean now = !"DELETED".equals(event.type()) && watch.selects(event.object());
            boolean before = event.previous() != null && watch.selects(event.previous());
            if ("DELETED".equals(event.type())) {
                if (before) {
                    watch.send("DELETED", event.object());
                }
            } else if (now && before) {
                watch.send("MODIFIED", event.object());
            } else if (now) {
                watch.send("ADDED", event.object());
            } else if (before) {
                // Out of the selection: DELETED with the previous content at the event's version,
                // as kube-apiserver's cacheWatcher does (staging/src/k8s.io/apiserver/pkg/storage/
                // cacher/cache_watcher.go, convertToWatchEvent).
                watch.send("DELETED", atVersion(event.previous(), event.object().resourceVersion()));
            }
        }
    }

    /** The outcome of a write: the HTTP status and the object (or a Status) to answer with. */
    record Result(int code, byte[] body) {
    }

    private final Map<String, Resource> resources = new HashMap<>();
    private final Map<String, Long> evictedUpTo = new ConcurrentHashMap<>();
    private final AtomicLong revision = new AtomicLong(1000);

    ObjectStore() {
        add("", "namespaces", "Namespace", false);
        add("", "nodes", "Node", false);
        add("", "pods", "Pod", true);
        add("", "configmaps", "ConfigMap", true);
        add("", "podtemplates", "PodTemplate", true);
        add("", "serviceaccounts", "ServiceAccount", true);
        add("", "events", "Event", true);
        add("events.k8s.io", "events", "Event", true);
        add("apps", "deployments", "Deployment", true);
        add("apps", "statefulsets", "StatefulSet", true);
        add("apps", "daemonsets", "DaemonSet", true);
        add("apps", "replicasets", "ReplicaSet", true);
        add("batch", "jobs", "Job", true);
        add("batch", "cronjobs", "CronJob", true);
        add("scheduling.k8s.io", "priorityclasses", "PriorityClass", false);
        add("node.k8s.io", "runtimeclasses", "RuntimeClass", false);
        add("autoscaling", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true);
        add("coordination.k8s.io", "leases", "Lease", true);
        add("wgpolicyk8s.io", "policyreports", "PolicyReport", true);
    }

    private void add(String group, String plural, String kind, boolean namespaced) {
        Resource resource = new Resource(group, plural, kind, namespaced);
        resources.put(resource.id(), resource);
    }

    /** The resource for a group and plural, or null when this server does not serve it. */
    Resource resource(String group, String plural) {
        return resources.get(group.isEmpty() ? plural : group + "/" + plural);
    }

    long revision() {
        return revision.get();
    }

    Map<String, Integer> counts() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        resources.values().forEach(r -> counts.put(r.id(), r.objects.size()));
        return counts;
    }

    Map<String, Integer> watchCounts() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        resources.values().stream().filter(r -> r.watchCount() > 0).forEach(r -> counts.put(r.id(), r.watchCount()));
        return counts;
    }

    /** Creates; 409 when it exists. The server sets uid, creationTimestamp, resourceVersion. */
    synchronized Result create(Resource resource, String namespace, ObjectNode object) {
        ObjectNode meta = object.with("metadata");
        String name = meta.path("name").asText("");
        if (name.isEmpty() && meta.hasNonNull("generateName")) {
            name = meta.get("generateName").asText() + Long.toString(revision.get() + 1, 36);
            meta.put("name", name);
        }
        if (name.isEmpty()) {
            return status(422, "Invalid", "metadata.name: Required value");
        }
        String ns = resource.namespaced ? namespace : null;
        if (resource.objects.containsKey(Stored.key(ns, name))) {
            return status(409, "AlreadyExists", resource.plural + " \"" + name + "\" already exists");
        }
        if (ns != null) {
            meta.put("namespace", ns);
        }
        meta.put("uid", UUID.randomUUID().toString());
        meta.put("creationTimestamp", Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        if (!meta.has("generation")) {
            meta.put("generation", 1);
        }
        object.put("kind", resource.kind);
        Stored stored = write(resource, ns, name, object, null);
        return new Result(201, stored.json());
    }

    /** Replaces; 404 when absent, 409 when the caller's resourceVersion is not the current one. */
    synchronized Result update(Resource resource, String namespace, String name, ObjectNode object) {
        String ns = resource.namespaced ? namespace : null;
        Stored current = resource.objects.get(Stored.key(ns, name));
        if (current == null) {
            return status(404, "NotFound", resource.plural + " \"" + name + "\" not found");
        }
        String version = object.path("metadata").path("resourceVersion").asText("");
        if (!version.isEmpty() && !version.equals(Long.toString(current.resourceVersion()))) {
            return status(409, "Conflict", "Operation cannot be fulfilled on " + resource.plural + " \"" + name
                    + "\": the object has been modified; please apply your changes to the latest version and try again");
        }
        ObjectNode meta = object.with("metadata");
        JsonNode previous = parse(current.json()).path("metadata");
        for (String kept : new String[]{"uid", "creationTimestamp"}) {
            if (previous.has(kept)) {
                meta.set(kept, previous.get(kept));
            }
        }
        meta.put("name", name);
        if (ns != null) {
            meta.put("namespace", ns);
        }
        object.put("kind", resource.kind);
        Stored stored = write(resource, ns, name, object, current);
        return new Result(200, stored.json());
    }

    /** Reads, changes and writes back under the lock (PATCH, heartbeats). */
    synchronized Result modify(Resource resource, String namespace, String name,
                               java.util.function.UnaryOperator<ObjectNode> change) {
        String ns = resource.namespaced ? namespace : null;
        Stored current = resource.objects.get(Stored.key(ns, name));
        if (current == null) {
            return status(404, "NotFound", resource.plural + " \"" + name + "\" not found");
        }
        ObjectNode changed = change.apply((ObjectNode) parse(current.json()));
        ((ObjectNode) changed.with("metadata")).put("name", name);
        Stored stored = write(resource, ns, name, changed, current);
        return new Result(200, stored.json());
    }

    synchronized Result delete(Resource resource, String namespace, String name) {
        String ns = resource.namespaced ? namespace : null;
        Stored current = resource.objects.remove(Stored.key(ns, name));
        if (current == null) {
            return status(404, "NotFound", resource.plural + " \"" + name + "\" not found");
        }
        long version = revision.incrementAndGet();
        ObjectNode object = (ObjectNode) parse(current.json());
        object.with("metadata").put("resourceVersion", Long.toString(version));
        Stored gone = stored(ns, name, object, version);
        resource.record(new Event("DELETED", gone, current));
        return new Result(200, gone.json());
    }

    private Stored write(Resource resource, String ns, String name, ObjectNode object, Stored previous) {
        long version = revision.incrementAndGet();
        object.with("metadata").put("resourceVersion", Long.toString(version));
        Stored stored = stored(ns, name, object, version);
        resource.objects.put(stored.key(), stored);
        resource.record(new Event(previous == null ? "ADDED" : "MODIFIED", stored, previous));
        return stored;
    }

    private static Stored stored(String ns, String name, ObjectNode object, long version) {
        Map<String, String> labels = new HashMap<>();
        object.path("metadata").path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        String nodeName = object.path("spec").path("nodeName").asText(null);
        try {
            return new Stored(ns, name, labels.isEmpty() ? Map.of() : Map.copyOf(labels), nodeName, version,
                    MAPPER.writeValueAsBytes(object));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Stored atVersion(Stored object, long version) {
        ObjectNode copy = (ObjectNode) parse(object.json());
        copy.with("metadata").put("resourceVersion", Long.toString(version));
        return stored(object.namespace(), object.name(), copy, version);
    }

    static JsonNode parse(byte[] json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Kubernetes Status body. */
    static Result status(int code, String reason, String message) {
        ObjectNode status = MAPPER.createObjectNode().put("kind", "Status").put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", code < 400 ? "Success" : "Failure").put("message", message).put("reason", reason)
                .put("code", code);
        return new Result(code, status.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The objects from {@code startAfter} on (exclusive), in key order, that {@code filter} keeps. */
    static List<Stored> page(Resource resource, String namespace, String startAfter, int limit,
                             Predicate<Stored> filter) {
        NavigableMap<String, Stored> view = resource.objects;
        if (namespace != null && resource.namespaced) {
            view = view.subMap(namespace + "/", true, namespace + "/\uffff", false);
        }
        if (startAfter != null) {
            view = view.tailMap(startAfter, false);
        }
        List<Stored> page = new ArrayList<>();
        Iterator<Stored> it = view.values().iterator();
        while (it.hasNext() && (limit <= 0 || page.size() < limit + 1)) {
            Stored object = it.next();
            if (filter.test(object)) {
                page.add(object);
            }
        }
        return page;
    }
}
