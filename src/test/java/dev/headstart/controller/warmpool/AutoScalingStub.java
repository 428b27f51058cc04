package dev.headstart.controller.warmpool;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A local stand-in for the Auto Scaling query API on 127.0.0.1: it parses the SDK's form-encoded
 * requests, records them, and answers in the service's XML shapes. Instances and their lifecycle
 * states are set by the test; lifecycle calls fail with "No active Lifecycle Action" unless an
 * action is active for that hook and instance, exactly like the service.
 *
 * <p>What Auto Scaling does with launching hooks is modelled by {@link #enter}: an instance that
 * enters {@code Warmed:Pending:Wait} (launched into the warm pool) or {@code Pending:Wait} (leaving
 * the pool, or a cold launch straight into service) gets an action for every
 * {@code EC2_INSTANCE_LAUNCHING} hook of its group; each one ends when completed, or when its
 * heartbeat timeout passes with no heartbeat, with the hook's default result. When none is left the
 * instance moves on (to the pool's state, or InService), or is terminated if any ended in ABANDON.
 * Every end is recorded ({@link #ended}). DescribeWarmPool lists the group's instances in a
 * {@code Warmed:*} state, paged.
 */
public final class AutoScalingStub implements AutoCloseable {

    static final String NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

    record Instance(String group, String state) {
    }

    record Failure(int status, String code, String message) {
    }

    private final HttpServer server;
    private final Map<String, Instance> instances = new ConcurrentHashMap<>();
    /** "hook/instanceId" of lifecycle actions waiting to be completed. */
    private final Map<String, Action> activeActions = new ConcurrentHashMap<>();
    /** Launching hooks by group. */
    private final Map<String, List<Hook>> hooks = new ConcurrentHashMap<>();
    private final List<Ended> ended = new ArrayList<>();

    record Hook(String name, java.time.Duration heartbeatTimeout, String defaultResult) {
    }

    /** A lifecycle action; deadline null for one set by {@link #activeAction}, which never times out. */
    record Action(String group, String hook, String instanceId, String stage, java.time.Instant deadline,
                  Hook definition, String next) {
    }

    /** How a lifecycle action ended: {@code completed} (CONTINUE) or {@code timeout:<default result>}. */
    record Ended(String instanceId, String hook, String stage, String how) {
    }
    private final List<Map<String, String>> requests = new ArrayList<>();
    private final Deque<Failure> failures = new ArrayDeque<>();
    /** DescribeWarmPool page size when smaller than the request's MaxRecords (tests of paging). */
    private volatile int warmPoolPage = 100;

    public AutoScalingStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    SdkAutoScalingGateway gateway() {
        return SdkAutoScalingGateway.create(Optional.of("us-east-1"), Optional.of(endpoint()),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "test-secret")));
    }

    public void instance(String id, String group, String state) {
        instances.put(id, new Instance(group, state));
    }

    void activeAction(String hook, String instanceId) {
        activeActions.put(hook + "/" + instanceId, new Action(null, hook, instanceId, null, null, null, null));
    }

    synchronized boolean actionActive(String hook, String instanceId) {
        expire();
        return activeActions.containsKey(hook + "/" + instanceId);
    }

    /** put-lifecycle-hook --lifecycle-transition autoscaling:EC2_INSTANCE_LAUNCHING. */
    void launchingHook(String group, String name, java.time.Duration heartbeatTimeout, String defaultResult) {
        hooks.computeIfAbsent(group, g -> new java.util.concurrent.CopyOnWriteArrayList<>())
                .add(new Hook(name, heartbeatTimeout, defaultResult));
    }

    /**
     * The instance enters {@code state}. At a launch stage every launching hook of the group pauses it
     * there; {@code next} is where it goes once they are all over with CONTINUE.
     */
    synchronized void enter(String id, String group, String state, String next) {
        instances.put(id, new Instance(group, state));
        java.time.Instant now = java.time.Instant.now();
        for (Hook hook : hooks.getOrDefault(group, List.of())) {
            activeActions.put(hook.name() + "/" + id,
                    new Action(group, hook.name(), id, state, now.plus(hook.heartbeatTimeout()), hook, next));
        }
        proceedIfDone(id, group, state, next);
    }

    synchronized String state(String id) {
        expire();
        Instance instance = instances.get(id);
        return instance == null ? null : instance.state();
    }

    /** Every lifecycle action that ended, in order. */
    synchronized List<Ended> ended() {
        expire();
        return List.copyOf(ended);
    }

    /** Heartbeat timeouts that passed: the action ends with the hook's default result. */
    private synchronized void expire() {
        java.time.Instant now = java.time.Instant.now();
        for (Action action : List.copyOf(activeActions.values())) {
            if (action.deadline() != null && !now.isBefore(action.deadline())) {
                end(action, "timeout:" + action.definition().defaultResult());
            }
        }
    }

    private void end(Action action, String how) {
        activeActions.remove(action.hook() + "/" + action.instanceId());
        if (action.stage() == null) {
            return;
        }
        ended.add(new Ended(action.instanceId(), action.hook(), action.stage(), how));
        proceedIfDone(action.instanceId(), action.group(), action.stage(), action.next());
    }

    private void proceedIfDone(String id, String group, String stage, String next) {
        Instance instance = instances.get(id);
        if (instance == null || !instance.state().equals(stage)
                || activeActions.values().stream().anyMatch(a -> a.instanceId().equals(id))) {
            return;
        }
        boolean abandoned = ended.stream().anyMatch(e -> e.instanceId().equals(id) && e.stage().equals(stage)
                && e.how().equals("timeout:ABANDON"));
        instances.put(id, new Instance(group, abandoned ? "Terminated" : next));
    }

    /** DescribeWarmPool answers at most this many instances a page, with a NextToken for the rest. */
    void warmPoolPageSize(int size) {
        warmPoolPage = size;
    }

    /** The next request(s) fail with this error, in order. */
    synchronized void failNext(int status, String code, String message) {
        failures.add(new Failure(status, code, message));
    }

    public synchronized List<Map<String, String>> requests() {
        return List.copyOf(requests);
    }

    synchronized List<Map<String, String>> requests(String action) {
        return requests.stream().filter(r -> action.equals(r.get("Action"))).toList();
    }

    synchronized void clearRequests() {
        requests.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> form = parse(body);
        Failure failure;
        synchronized (this) {
            requests.add(form);
            failure = failures.poll();
        }
        if (!"POST".equals(exchange.getRequestMethod()) || !"2011-01-01".equals(form.get("Version"))) {
            respond(exchange, 400, error("Sender", "InvalidAction", "unexpected request " + exchange.getRequestMethod()));
            return;
        }
        if (failure != null) {
            respond(exchange, failure.status(), error(failure.status() >= 500 ? "Receiver" : "Sender",
                    failure.code(), failure.message()));
            return;
        }
        String action = form.get("Action");
        switch (action) {
            case "DescribeAutoScalingInstances" -> {
                expire();
                respond(exchange, 200, describe(form));
            }
            case "DescribeLifecycleHooks" -> respond(exchange, 200, describeHooks(form.get("AutoScalingGroupName")));
            case "DescribeWarmPool" -> {
                expire();
                respond(exchange, 200, describeWarmPool(form));
            }
            case "CompleteLifecycleAction", "RecordLifecycleActionHeartbeat" -> {
                String key = form.get("LifecycleHookName") + "/" + form.get("InstanceId");
                boolean active;
                synchronized (this) {
                    expire();
                    Action current = activeActions.get(key);
                    active = current != null;
                    if (current != null && "CompleteLifecycleAction".equals(action)) {
                        end(current, "completed:" + form.get("LifecycleActionResult"));
                    } else if (current != null && current.deadline() != null) {
                        activeActions.put(key, new Action(current.group(), current.hook(), current.instanceId(),
                                current.stage(), java.time.Instant.now().plus(current.definition().heartbeatTimeout()),
                                current.definition(), current.next()));
                    }
                }
                if (!active) {
                    respond(exchange, 400, error("Sender", "ValidationError",
                            "No active Lifecycle Action found with instance ID " + form.get("InstanceId")));
                } else {
                    respond(exchange, 200, "<" + action + "Response xmlns=\"" + NS + "\"><" + action + "Result/>"
                            + metadata() + "</" + action + "Response>");
                }
            }
            default -> respond(exchange, 400, error("Sender", "InvalidAction", "Could not find operation " + action));
        }
    }

    private String describe(Map<String, String> form) {
        StringBuilder members = new StringBuilder();
        form.entrySet().stream()
                .filter(e -> e.getKey().startsWith("InstanceIds.member."))
                .map(Map.Entry::getValue)
                .sorted()
                .forEach(id -> {
                    Instance instance = instances.get(id);
                    if (instance != null) {
                        members.append("<member><InstanceId>").append(id).append("</InstanceId>")
                                .append("<InstanceType>m5.large</InstanceType>")
                                .append("<AutoScalingGroupName>").append(instance.group()).append("</AutoScalingGroupName>")
                                .append("<AvailabilityZone>us-east-1a</AvailabilityZone>")
                                .append("<LifecycleState>").append(instance.state()).append("</LifecycleState>")
                                .append("<HealthStatus>HEALTHY</HealthStatus>")
                                .append("<ProtectedFromScaleIn>false</ProtectedFromScaleIn>")
                                .append("</member>");
                    }
                });
        return "<DescribeAutoScalingInstancesResponse xmlns=\"" + NS + "\">"
                + "<DescribeAutoScalingInstancesResult><AutoScalingInstances>" + members
                + "</AutoScalingInstances></DescribeAutoScalingInstancesResult>"
                + metadata() + "</DescribeAutoScalingInstancesResponse>";
    }

    /**
     * The group's instances in a {@code Warmed:*} state, by id, a page at a time (MaxRecords, at most
     * 100 as in the API; NextToken is the offset). The warm pool's configuration is a fixed Stopped pool.
     */
    private String describeWarmPool(Map<String, String> form) {
        String group = form.get("AutoScalingGroupName");
        List<String> ids = instances.entrySet().stream()
                .filter(e -> e.getValue().group().equals(group) && e.getValue().state().startsWith("Warmed:"))
                .map(Map.Entry::getKey).sorted().toList();
        int max = Math.min(warmPoolPage, Math.min(100, Integer.parseInt(form.getOrDefault("MaxRecords", "50"))));
        int from = Integer.parseInt(form.getOrDefault("NextToken", "0"));
        StringBuilder members = new StringBuilder();
        for (String id : ids.subList(Math.min(from, ids.size()), Math.min(ids.size(), from + max))) {
            members.append("<member><InstanceId>").append(id).append("</InstanceId>")
                    .append("<InstanceType>m5.large</InstanceType>")
                    .append("<AvailabilityZone>us-east-1a</AvailabilityZone>")
                    .append("<LifecycleState>").append(instances.get(id).state()).append("</LifecycleState>")
                    .append("<HealthStatus>Healthy</HealthStatus>")
                    .append("<ProtectedFromScaleIn>false</ProtectedFromScaleIn>")
                    .append("</member>");
        }
        String next = from + max < ids.size() ? "<NextToken>" + (from + max) + "</NextToken>" : "";
        return "<DescribeWarmPoolResponse xmlns=\"" + NS + "\"><DescribeWarmPoolResult>"
                + "<WarmPoolConfiguration><MinSize>0</MinSize><PoolState>Stopped</PoolState></WarmPoolConfiguration>"
                + "<Instances>" + members + "</Instances>" + next + "</DescribeWarmPoolResult>"
                + metadata() + "</DescribeWarmPoolResponse>";
    }

    private String describeHooks(String group) {
        StringBuilder members = new StringBuilder();
        for (Hook hook : hooks.getOrDefault(group, List.of())) {
            members.append("<member><LifecycleHookName>").append(hook.name()).append("</LifecycleHookName>")
                    .append("<AutoScalingGroupName>").append(group).append("</AutoScalingGroupName>")
                    .append("<LifecycleTransition>autoscaling:EC2_INSTANCE_LAUNCHING</LifecycleTransition>")
                    .append("<HeartbeatTimeout>").append(hook.heartbeatTimeout().toSeconds()).append("</HeartbeatTimeout>")
                    .append("<GlobalTimeout>").append(Math.min(172800, hook.heartbeatTimeout().toSeconds() * 100))
                    .append("</GlobalTimeout>")
                    .append("<DefaultResult>").append(hook.defaultResult()).append("</DefaultResult></member>");
        }
        // A terminating hook of the group's, which Headstart must leave alone.
        members.append("<member><LifecycleHookName>drain</LifecycleHookName><AutoScalingGroupName>").append(group)
                .append("</AutoScalingGroupName><LifecycleTransition>autoscaling:EC2_INSTANCE_TERMINATING")
                .append("</LifecycleTransition><HeartbeatTimeout>600</HeartbeatTimeout><GlobalTimeout>60000")
                .append("</GlobalTimeout><DefaultResult>CONTINUE</DefaultResult></member>");
        return "<DescribeLifecycleHooksResponse xmlns=\"" + NS + "\"><DescribeLifecycleHooksResult><LifecycleHooks>"
                + members + "</LifecycleHooks></DescribeLifecycleHooksResult>" + metadata()
                + "</DescribeLifecycleHooksResponse>";
    }

    private static String metadata() {
        return "<ResponseMetadata><RequestId>7c6e177f-f082-11e1-ac58-3714bEXAMPLE</RequestId></ResponseMetadata>";
    }

    private static String error(String type, String code, String message) {
        return "<ErrorResponse xmlns=\"" + NS + "\"><Error><Type>" + type + "</Type><Code>" + code + "</Code><Message>"
                + message + "</Message></Error><RequestId>7c6e177f-f082-11e1-ac58-3714bEXAMPLE</RequestId></ErrorResponse>";
    }

    private static void respond(HttpExchange exchange, int status, String xml) throws IOException {
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/xml");
        exchange.getResponseHeaders().add("x-amzn-RequestId", "7c6e177f-f082-11e1-ac58-3714bEXAMPLE");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> parse(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        if (body.isEmpty()) {
            return form;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            form.put(key, value);
        }
        return form;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
