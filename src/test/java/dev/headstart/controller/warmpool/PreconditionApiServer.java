package dev.headstart.controller.warmpool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.io.IOException;
import java.util.HashMap;

/**
 * The fabric8 mock API server in CRUD mode, plus what it leaves out and a delete relies on: a
 * DELETE whose DeleteOptions carry {@code preconditions.uid} is refused with 409 Conflict when the
 * stored object has another UID, as the real registry does ({@code Preconditions.Check} in
 * staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go: "Precondition failed: UID in
 * precondition: …, UID in object meta: …").
 */
final class PreconditionApiServer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PreconditionApiServer() {
    }

    static KubernetesMockServer start() {
        KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
        Dispatcher dispatcher = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if ("DELETE".equals(request.getMethod())) {
                    String uid = preconditionUid(request.getUtf8Body());
                    if (uid != null) {
                        String stored = storedUid(crud.handleGet(request.getPath()));
                        if (stored != null && !stored.equals(uid)) {
                            return new MockResponse().setResponseCode(409).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                                    + "\"status\":\"Failure\",\"reason\":\"Conflict\",\"code\":409,\"message\":"
                                    + "\"Precondition failed: UID in precondition: " + uid + ", UID in object meta: " + stored + "\"}");
                        }
                    }
                }
                return crud.dispatch(request);
            }
        };
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init();
        return server;
    }

    private static String preconditionUid(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode uid = JSON.readTree(body).path("preconditions").path("uid");
            return uid.isTextual() ? uid.asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String storedUid(MockResponse response) {
        if (response.code() != 200 || response.getBody() == null) {
            return null;
        }
        try {
            JsonNode uid = JSON.readTree(response.getBody().readUtf8()).path("metadata").path("uid");
            return uid.isTextual() ? uid.asText() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
