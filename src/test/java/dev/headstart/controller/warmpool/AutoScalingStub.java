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
    private final Map<String, Boolean> activeActions = new ConcurrentHashMap<>();
    private final List<Map<String, String>> requests = new ArrayList<>();
    private final Deque<Failure> failures = new ArrayDeque<>();

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
        activeActions.put(hook + "/" + instanceId, true);
    }

    boolean actionActive(String hook, String instanceId) {
        return activeActions.containsKey(hook + "/" + instanceId);
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
            case "DescribeAutoScalingInstances" -> respond(exchange, 200, describe(form));
            case "CompleteLifecycleAction", "RecordLifecycleActionHeartbeat" -> {
                String key = form.get("LifecycleHookName") + "/" + form.get("InstanceId");
                boolean active = "CompleteLifecycleAction".equals(action)
                        ? activeActions.remove(key) != null
                        : activeActions.containsKey(key);
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
