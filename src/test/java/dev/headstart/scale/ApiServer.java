package dev.headstart.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The HTTP face of the simulated API server, on loopback: the REST paths of the resources in
 * {@link ObjectStore} with get, list (with {@code limit}/{@code continue} paging and label and
 * field selectors), watch (WebSocket, as fabric8 asks first, or a streamed HTTP response; resumes
 * from a resourceVersion or answers 410 Expired; bookmarks when asked; honours timeoutSeconds),
 * create, update (with resourceVersion conflicts), patch (JSON patch, merge patch) and delete.
 * Paths under {@code /_sim/} are the benchmark's own controls and are not logged.
 */
final class ApiServer {

    /** Closes a watch whose client has not read this many events, as kube-apiserver drops slow watchers. */
    private static final int SLOW_WATCH_EVENTS = 5_000;

    private final Vertx vertx;
    private final ObjectStore store;
    private final RequestLog log;
    private final Map<String, java.util.function.Function<HttpServerRequest, Object>> controls;
    private final AtomicLong slowWatchesClosed = new AtomicLong();
    private HttpServer server;

    ApiServer(Vertx vertx, ObjectStore store, RequestLog log,
              Map<String, java.util.function.Function<HttpServerRequest, Object>> controls) {
        this.vertx = vertx;
        this.store = store;
        this.log = log;
        this.controls = controls;
    }

    int start() throws Exception {
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
                .setMaxWebSocketMessageSize(16 << 20)
                .setCompressionSupported(false));
        server.requestHandler(this::handle);
        return server.listen().toCompletionStage().toCompletableFuture().get().actualPort();
    }

    long slowWatchesClosed() {
        return slowWatchesClosed.get();
    }

    /** /api/v1/..., /apis/group/version/...: the parts of a resource path. */
    record Target(ObjectStore.Resource resource, String namespace, String name, String subresource) {
    }

    private Target parse(String path) {
        String[] p = path.replaceAll("/+$", "").split("/");
        int i;
        String group;
        if (p.length >= 3 && p[1].equals("api")) {
            group = "";
            i = 3;
        } else if (p.length >= 4 && p[1].equals("apis")) {
            group = p[2];
            i = 4;
        } else {
            return null;
        }
        String namespace = null;
        if (p.length > i + 1 && p[i].equals("namespaces") && p.length > i + 2) {
            namespace = p[i + 1];
            i += 2;
        }
        if (p.length <= i) {
            return null;
        }
        ObjectStore.Resource resource = store.resource(group, p[i]);
        if (resource == null) {
            return null;
        }
        String name = p.length > i + 1 ? p[i + 1] : null;
        String sub = p.length > i + 2 ? p[i + 2] : null;
        return new Target(resource, namespace, name, sub);
    }

    private void handle(HttpServerRequest req) {
        long started = System.currentTimeMillis();
        String path = req.path();
        if (path.startsWith("/_sim/")) {
            var control = controls.get(path.substring(6));
            if (control == null) {
                req.response().setStatusCode(404).end();
                return;
            }
            req.body().onSuccess(ignored -> vertx.executeBlocking(() -> control.apply(req), false)
                    .onSuccess(result -> req.response().putHeader("content-type", "application/json")
                            .end(result.toString()))
                    .onFailure(e -> req.response().setStatusCode(500).end(e.toString())));
            return;
        }
        Target target = parse(path);
        String method = req.method().name();
        if (target == null) {
            byte[] body = ObjectStore.status(404, "NotFound", "the server could not find the requested resource").body();
            log.add(new RequestLog.Entry(started, method.toLowerCase(), path, null, null, 404, body.length, 0));
            req.response().setStatusCode(404).putHeader("content-type", "application/json").end(Buffer.buffer(body));
            return;
        }
        boolean watch = "GET".equals(method) && ("true".equals(req.getParam("watch")) || "1".equals(req.getParam("watch")));
        if (watch) {
            watch(req, target, started);
            return;
        }
        req.body().onSuccess(body -> vertx.executeBlocking(() -> {
            answer(req, target, method, body, started);
            return null;
        }, false));
    }

    private void answer(HttpServerRequest req, Target t, String method, Buffer body, long started) {
        String verb;
        ObjectStore.Result result;
        Buffer out = null;
        ListBody listed = null;
        try {
            switch (method) {
                case "GET" -> {
                    if (t.name() == null) {
                        verb = "list";
                        listed = list(req, t);
                        result = null;
                    } else {
                        verb = "get";
                        ObjectStore.Stored found = t.resource().get(t.namespace(), t.name());
                        result = found == null ? ObjectStore.status(404, "NotFound",
                                t.resource().plural + " \"" + t.name() + "\" not found")
                                : new ObjectStore.Result(200, found.json());
                    }
                }
                case "POST" -> {
                    verb = "create";
                    result = store.create(t.resource(), t.namespace(), (ObjectNode) ObjectStore.parse(body.getBytes()));
                }
                case "PUT" -> {
                    verb = "update";
                    result = store.update(t.resource(), t.namespace(), t.name(), (ObjectNode) ObjectStore.parse(body.getBytes()));
                }
                case "PATCH" -> {
                    verb = "patch";
                    JsonNode patch = ObjectStore.parse(body.getBytes());
                    String type = String.valueOf(req.getHeader("content-type"));
                    result = store.modify(t.resource(), t.namespace(), t.name(), current ->
                            type.contains("json-patch") ? (ObjectNode) JsonPatch.apply(patch, current)
                                    : (ObjectNode) mergePatch(current, patch));
                }
                case "DELETE" -> {
                    verb = "delete";
                    result = store.delete(t.resource(), t.namespace(), t.name());
                }
                default -> {
                    verb = method.toLowerCase();
                    result = ObjectStore.status(405, "MethodNotAllowed", method);
                }
            }
        } catch (IllegalArgumentException e) {
            verb = method.toLowerCase();
            result = ObjectStore.status(400, "BadRequest", e.getMessage());
        } catch (RuntimeException e) {
            verb = method.toLowerCase();
            result = ObjectStore.status(500, "InternalError", e.toString());
        }
        int code = result == null ? 200 : result.code();
        String resource = t.resource().id() + (t.subresource() == null ? "" : "/" + t.subresource());
        if (listed != null) {
            stream(req.response(), listed);
            log.add(new RequestLog.Entry(started, verb, resource, t.namespace(), null, code, listed.size(),
                    System.currentTimeMillis() - started));
            return;
        }
        out = Buffer.buffer(result.body());
        log.add(new RequestLog.Entry(started, verb, resource, t.namespace(), t.name(), code, out.length(),
                System.currentTimeMillis() - started));
        req.response().setStatusCode(code).putHeader("content-type", "application/json").end(out);
    }

    /** A list answer: the envelope's head, the items, and its size in bytes. */
    private record ListBody(String head, List<ObjectStore.Stored> items, long size) {
    }

    /** Bytes per chunk of a streamed list: big lists never sit whole in the simulator's heap. */
    private static final int CHUNK = 256 * 1024;

    /** Streams a list in chunks, waiting while the client is behind (as the API server does). */
    private static void stream(HttpServerResponse response, ListBody body) {
        response.setStatusCode(200).putHeader("content-type", "application/json").setChunked(true);
        Buffer chunk = Buffer.buffer(CHUNK + 32 * 1024).appendString(body.head());
        boolean first = true;
        for (ObjectStore.Stored o : body.items()) {
            if (!first) {
                chunk.appendByte((byte) ',');
            }
            first = false;
            chunk.appendBytes(o.json());
            if (chunk.length() >= CHUNK) {
                if (!write(response, chunk)) {
                    return;
                }
                chunk = Buffer.buffer(CHUNK + 32 * 1024);
            }
        }
        response.end(chunk.appendString("]}"));
    }

    private static boolean write(HttpServerResponse response, Buffer chunk) {
        java.util.concurrent.CountDownLatch drained = new java.util.concurrent.CountDownLatch(1);
        response.drainHandler(v -> drained.countDown());
        long deadline = System.nanoTime() + 120_000_000_000L;
        try {
            while (response.writeQueueFull() && !response.closed() && System.nanoTime() < deadline) {
                drained.await(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (response.closed()) {
            return false;
        }
        response.write(chunk);
        return true;
    }

    private ListBody list(HttpServerRequest req, Target t) {
        Predicate<ObjectStore.Stored> filter = Selector.labels(req.getParam("labelSelector"))
                .and(Selector.fields(req.getParam("fieldSelector")));
        String limitParam = req.getParam("limit");
        int limit = limitParam == null || limitParam.isBlank() ? 0 : Integer.parseInt(limitParam);
        String token = req.getParam("continue");
        long version = store.revision();
        String startAfter = null;
        if (token != null && !token.isBlank()) {
            String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            version = Long.parseLong(decoded.substring(0, colon));
            startAfter = decoded.substring(colon + 1);
        }
        List<ObjectStore.Stored> page = ObjectStore.page(t.resource(), t.namespace(), startAfter, limit, filter);
        String next = null;
        if (limit > 0 && page.size() > limit) {
            page = page.subList(0, limit);
            next = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    (version + ":" + page.get(page.size() - 1).key()).getBytes(StandardCharsets.UTF_8));
        }
        long size = 0;
        for (ObjectStore.Stored o : page) {
            size += o.json().length + 1;
        }
        String apiVersion = t.resource().group.isEmpty() ? "v1" : t.resource().group + "/" + versionOf(req.path());
        String head = "{\"apiVersion\":\"" + apiVersion + "\",\"kind\":\"" + t.resource().kind
                + "List\",\"metadata\":{\"resourceVersion\":\"" + version + "\""
                + (next == null ? "" : ",\"continue\":\"" + next + "\"") + "},\"items\":[";
        return new ListBody(head, page, size + head.length() + 2);
    }

    private static String versionOf(String path) {
        String[] p = path.split("/");
        return p.length > 3 ? p[3] : "v1";
    }

    private void watch(HttpServerRequest req, Target t, long started) {
        Predicate<ObjectStore.Stored> filter;
        try {
            filter = Selector.labels(req.getParam("labelSelector")).and(Selector.fields(req.getParam("fieldSelector")));
        } catch (IllegalArgumentException e) {
            req.response().setStatusCode(400).end(Buffer.buffer(ObjectStore.status(400, "BadRequest", e.getMessage()).body()));
            return;
        }
        String ns = t.namespace();
        Predicate<ObjectStore.Stored> scoped = ns == null || !t.resource().namespaced ? filter
                : filter.and(o -> ns.equals(o.namespace()));
        String rv = req.getParam("resourceVersion");
        long from = rv == null || rv.isBlank() ? 0 : Long.parseLong(rv);
        boolean bookmarks = "true".equals(req.getParam("allowWatchBookmarks"));
        String timeout = req.getParam("timeoutSeconds");
        long timeoutMillis = timeout == null ? 30 * 60_000L : Long.parseLong(timeout) * 1000;
        String resourceName = t.resource().id();
        boolean websocket = "websocket".equalsIgnoreCase(req.getHeader("Upgrade"));
        log.add(new RequestLog.Entry(started, "watch", resourceName, ns, null, websocket ? 101 : 200, 0, 0));
        if (websocket) {
            req.toWebSocket().onSuccess(ws -> serveWatch(new WsSink(ws), t, scoped, from, bookmarks, timeoutMillis));
        } else {
            HttpServerResponse response = req.response().setChunked(true).putHeader("content-type", "application/json");
            serveWatch(new HttpSink(response), t, scoped, from, bookmarks, timeoutMillis);
        }
    }

    /** Where a watch's events go: a WebSocket or a streamed HTTP response. */
    interface Sink {
        void write(Buffer event);

        boolean full();

        void close();

        void onClose(Runnable action);
    }

    private record WsSink(ServerWebSocket ws) implements Sink {
        public void write(Buffer event) {
            ws.writeTextMessage(event.toString(StandardCharsets.UTF_8));
        }

        public boolean full() {
            return ws.writeQueueFull();
        }

        public void close() {
            ws.close();
        }

        public void onClose(Runnable action) {
            ws.closeHandler(v -> action.run());
        }
    }

    private record HttpSink(HttpServerResponse response) implements Sink {
        public void write(Buffer event) {
            response.write(event.appendByte((byte) '\n'));
        }

        public boolean full() {
            return response.writeQueueFull();
        }

        public void close() {
            response.end();
        }

        public void onClose(Runnable action) {
            response.closeHandler(v -> action.run());
        }
    }

    private void serveWatch(Sink sink, Target t, Predicate<ObjectStore.Stored> filter, long from, boolean bookmarks,
                            long timeoutMillis) {
        ObjectStore.Resource resource = t.resource();
        int[] backlog = {0};
        boolean[] closed = {false};
        ObjectStore.Watch watch = new ObjectStore.Watch() {
            public boolean selects(ObjectStore.Stored object) {
                return filter.test(object);
            }

            public void send(String type, ObjectStore.Stored object) {
                if (closed[0]) {
                    return;
                }
                backlog[0] = sink.full() ? backlog[0] + 1 : 0;
                if (backlog[0] > SLOW_WATCH_EVENTS) {
                    closed[0] = true;
                    slowWatchesClosed.incrementAndGet();
                    resource.unwatch(this);
                    sink.close();
                    return;
                }
                sink.write(event(type, object.json()));
            }
        };
        long[] timers = new long[2];
        Runnable stop = () -> {
            closed[0] = true;
            resource.unwatch(watch);
            vertx.cancelTimer(timers[0]);
            vertx.cancelTimer(timers[1]);
        };
        sink.onClose(stop);
        if (!resource.watch(watch, from, o -> true)) {
            sink.write(Buffer.buffer("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                    + "\"status\":\"Failure\",\"message\":\"too old resource version: " + from + "\",\"reason\":\"Expired\","
                    + "\"code\":410}}"));
            sink.close();
            return;
        }
        timers[0] = vertx.setTimer(Math.max(1000, timeoutMillis), id -> {
            stop.run();
            sink.close();
        });
        timers[1] = bookmarks ? vertx.setPeriodic(60_000, id -> sink.write(Buffer.buffer("{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\""
                + resource.kind + "\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"" + store.revision()
                + "\"}}}"))) : -1;
    }

    private static Buffer event(String type, byte[] json) {
        return Buffer.buffer(json.length + 32).appendString("{\"type\":\"" + type + "\",\"object\":").appendBytes(json)
                .appendByte((byte) '}');
    }

    /** RFC 7386 merge patch (strategic merge patches are applied the same way: enough for these kinds). */
    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target : ObjectStore.MAPPER.createObjectNode();
        patch.fields().forEachRemaining(e -> {
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
            }
        });
        return result;
    }

    void close() {
        if (server != null) {
            server.close();
        }
    }
}
