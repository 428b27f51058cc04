package dev.headstart.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Records every request the fabric8 mock API servers of the test suite receive, for the RBAC check
 * ({@code RbacMatchesCodeIT}): method, path with query, User-Agent (which says which Headstart
 * component sent it) and the test class, one JSON object per line under {@code target/rbac-requests/}
 * (one file per test JVM, so parallel forks never share a file; Maven empties the folder before
 * the tests run).
 *
 * <p>Registered for every test class through JUnit's extension auto-detection
 * ({@code META-INF/services}), so a new test with a mock server is recorded without opting in. It
 * finds the servers in the test's fields and drains their request queues after each test, after
 * the class, and once more when the JVM exits (a Quarkus application and its mock server outlive
 * the test class; what it sends while shutting down still counts). Everything is done by
 * reflection on class names: Quarkus loads its test classes in its own class loader.
 *
 * <p>Two mistakes would make the recording lie, so they fail the test class at once: a mock server
 * the recorder cannot reach (declare the field), and a {@code @QuarkusTest} that builds its fixtures
 * with the application's injected {@code KubernetesClient} (its requests would carry the component's
 * User-Agent and count as the component's: use {@code server.getClient()}).
 */
public class ApiRequestRecorder implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    static final String FABRIC8_MOCK = "io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient";
    static final String QUARKUS_MOCK = "io.quarkus.test.kubernetes.client.WithKubernetesTestServer";
    static final String QUARKUS_SERVER_FIELD = "io.quarkus.test.kubernetes.client.KubernetesTestServer";
    static final String MOCK_SERVER = "io.fabric8.mockwebserver.DefaultMockServer";
    static final String QUARKUS_SERVER = "io.quarkus.test.kubernetes.client.KubernetesServer";
    static final String CLIENT = "io.fabric8.kubernetes.client.Client";

    /** Where the recordings go; {@code RbacMatchesCodeIT} reads the same folder. */
    public static Path directory() {
        return Path.of(System.getProperty("rbac-requests.dir", "target/rbac-requests"));
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path FILE = directory().resolve("requests-" + ProcessHandle.current().pid() + "-"
            + UUID.randomUUID() + ".jsonl");
    /** Servers seen so far (a Quarkus server lives on after its test class), drained again at exit. */
    private static final Set<Object> SERVERS = Collections.newSetFromMap(new IdentityHashMap<>());

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<Object> servers;
            synchronized (SERVERS) {
                servers = new ArrayList<>(SERVERS);
            }
            for (Object server : servers) {
                try {
                    drain(server, "(after the last test)");
                } catch (Throwable ignored) {
                    // best effort while the JVM exits
                }
            }
        }, "api-request-recorder"));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Class<?> test = context.getRequiredTestClass();
        if (has(test, FABRIC8_MOCK) && fields(test).stream().noneMatch(f -> isA(f.getType(), MOCK_SERVER))) {
            throw new IllegalStateException(test.getSimpleName() + " has @EnableKubernetesMockClient but no "
                    + "KubernetesMockServer field: declare `KubernetesMockServer server;` so the RBAC check records "
                    + "the requests Headstart sends to it");
        }
        if (has(test, QUARKUS_MOCK)) {
            if (fields(test).stream().noneMatch(f -> annotated(f, QUARKUS_SERVER_FIELD))) {
                throw new IllegalStateException(test.getSimpleName() + " has @WithKubernetesTestServer but no "
                        + "`@KubernetesTestServer KubernetesServer server;` field: declare it so the RBAC check records "
                        + "the requests Headstart sends to it");
            }
            for (Field f : fields(test)) {
                if (annotated(f, "jakarta.inject.Inject") && isA(f.getType(), CLIENT)) {
                    throw new IllegalStateException(test.getSimpleName() + "." + f.getName() + ": the injected "
                            + "KubernetesClient is the application's and sends the component's User-Agent, so fixture "
                            + "requests made with it would count as the component's in the RBAC check; use "
                            + "server.getClient() (the @KubernetesTestServer's own client) for fixtures");
                }
            }
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        context.getTestInstance().ifPresent(instance -> record(context.getRequiredTestClass(), instance));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        record(context.getRequiredTestClass(), null);
    }

    private static void record(Class<?> test, Object instance) {
        for (Field f : fields(test)) {
            boolean isStatic = Modifier.isStatic(f.getModifiers());
            if (!isStatic && instance == null) {
                continue;
            }
            if (!isA(f.getType(), MOCK_SERVER) && !isA(f.getType(), QUARKUS_SERVER)) {
                continue;
            }
            try {
                f.setAccessible(true);
                Object server = f.get(isStatic ? null : instance);
                if (server != null) {
                    synchronized (SERVERS) {
                        SERVERS.add(server);
                    }
                    drain(server, test.getName());
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + test.getSimpleName() + "." + f.getName(), e);
            }
        }
    }

    /**
     * For a test that reads what its mock server received: the next queued request (waiting up to
     * {@code timeout}; null if none came), recorded on the way. A test calling
     * {@code server.takeRequest} itself would take the request from the queue this recorder drains,
     * and the RBAC check would never see it ({@code RecordedRequestsReachTheRbacCheckTest}).
     */
    public static io.fabric8.mockwebserver.http.RecordedRequest take(io.fabric8.mockwebserver.DefaultMockServer server,
                                                                    long timeout, TimeUnit unit) throws InterruptedException {
        io.fabric8.mockwebserver.http.RecordedRequest request = server.takeRequest(timeout, unit);
        if (request != null) {
            String test = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).getCallerClass().getName();
            append(line(test, request.getMethod(), request.getPath(), request.getHeader("User-Agent")) + "\n");
        }
        return request;
    }

    /** {@link #take(io.fabric8.mockwebserver.DefaultMockServer, long, TimeUnit)} for a request that must come (within a minute). */
    public static io.fabric8.mockwebserver.http.RecordedRequest take(io.fabric8.mockwebserver.DefaultMockServer server)
            throws InterruptedException {
        io.fabric8.mockwebserver.http.RecordedRequest request = take(server, 1, TimeUnit.MINUTES);
        if (request == null) {
            throw new AssertionError("the mock API server received no request within a minute");
        }
        return request;
    }

    /** Every request the server has queued now, in the order received, recorded on the way. */
    public static List<io.fabric8.mockwebserver.http.RecordedRequest> takeAll(io.fabric8.mockwebserver.DefaultMockServer server) {
        String test = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).getCallerClass().getName();
        try {
            return drain(server, test).stream().map(io.fabric8.mockwebserver.http.RecordedRequest.class::cast).toList();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode line(String test, Object method, Object path, Object userAgent) {
        ObjectNode line = JSON.createObjectNode();
        line.put("test", test);
        line.put("method", String.valueOf(method));
        line.put("path", String.valueOf(path));
        line.put("userAgent", userAgent == null ? "" : userAgent.toString());
        return line;
    }

    /** Takes every request the server has queued (each once), appends them to this JVM's file and returns them. */
    private static List<Object> drain(Object server, String test) throws ReflectiveOperationException {
        Object mock = isA(server.getClass(), QUARKUS_SERVER)
                ? server.getClass().getMethod("getKubernetesMockServer").invoke(server)
                : server;
        if (mock == null) {
            return List.of();
        }
        Method take = mock.getClass().getMethod("takeRequest", long.class, TimeUnit.class);
        List<Object> taken = new ArrayList<>();
        StringBuilder lines = new StringBuilder();
        Object request;
        while ((request = take.invoke(mock, 0L, TimeUnit.MILLISECONDS)) != null) {
            taken.add(request);
            Class<?> type = request.getClass();
            lines.append(line(test, type.getMethod("getMethod").invoke(request), type.getMethod("getPath").invoke(request),
                    type.getMethod("getHeader", String.class).invoke(request, "User-Agent"))).append('\n');
        }
        if (!lines.isEmpty()) {
            append(lines.toString());
        }
        return taken;
    }

    private static synchronized void append(String lines) {
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Field> fields(Class<?> type) {
        List<Field> out = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            out.addAll(List.of(c.getDeclaredFields()));
        }
        return out;
    }

    private static boolean has(Class<?> type, String annotation) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Annotation a : c.getAnnotations()) {
                if (a.annotationType().getName().equals(annotation)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean annotated(Field field, String annotation) {
        for (Annotation a : field.getAnnotations()) {
            if (a.annotationType().getName().equals(annotation)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code type} is or extends/implements the class named {@code name}, whatever its class loader. */
    static boolean isA(Class<?> type, String name) {
        if (type == null) {
            return false;
        }
        if (type.getName().equals(name)) {
            return true;
        }
        for (Class<?> i : type.getInterfaces()) {
            if (isA(i, name)) {
                return true;
            }
        }
        return isA(type.getSuperclass(), name);
    }
}
