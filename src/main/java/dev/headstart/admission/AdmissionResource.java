package dev.headstart.admission;

import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

/**
 * The HTTP edge: decode, delegate, encode. It knows no rules. Runs on the event loop (rules are
 * pure CPU work over in-memory data), so no thread hop is paid per review.
 */
@Path("/")
public class AdmissionResource {

    private static final Logger LOG = Logger.getLogger(AdmissionResource.class);

    private final MutatingHandler mutating;
    private final ValidatingHandler validating;
    private final AdmissionMetrics metrics;

    public AdmissionResource(MutatingHandler mutating, ValidatingHandler validating, AdmissionMetrics metrics) {
        this.mutating = mutating;
        this.validating = validating;
        this.metrics = metrics;
    }

    @POST
    @Path("mutate")
    @NonBlocking
    public Response mutate(byte[] body) {
        return review("mutate", mutating, body);
    }

    @POST
    @Path("validate")
    @NonBlocking
    public Response validate(byte[] body) {
        return review("validate", validating, body);
    }

    Response review(String webhook, AdmissionHandler handler, byte[] body) {
        long start = System.nanoTime();
        AdmissionRequest request;
        try {
            request = AdmissionReviewCodec.decode(body);
        } catch (InvalidReviewException e) {
            LOG.debugf("rejected malformed review on /%s: %s", webhook, e.getMessage());
            metrics.request(webhook, "other", "other", "invalid", System.nanoTime() - start);
            byte[] answer = AdmissionReviewCodec.encode(AdmissionReviewCodec.V1,
                    AdmissionResponse.invalid(e.uid(), e.getMessage()));
            // Without a uid the API server cannot match an in-band answer: say so at the HTTP level.
            int status = e.uid() == null ? 400 : 200;
            return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(answer).build();
        }
        AdmissionResponse response;
        try {
            response = handler.handle(request);
        } catch (RuntimeException e) {
            // Handlers fail open per rule; reaching here is a bug, and the object still goes through.
            LOG.errorf("/%s handler failed for %s %s/%s: %s", webhook, request.kind(), request.namespace(),
                    request.name(), e.toString());
            response = AdmissionResponse.allow(request.uid(), java.util.List.of("headstart: internal error; object admitted unchanged"));
        }
        metrics.request(webhook, request.kind(), request.operation(), outcome(response), System.nanoTime() - start);
        return Response.ok(AdmissionReviewCodec.encode(request.apiVersion(), response), MediaType.APPLICATION_JSON_TYPE)
                .build();
    }

    private static String outcome(AdmissionResponse response) {
        if (!response.allowed()) {
            return response.code() == 400 ? "invalid" : "denied";
        }
        if (response.patch() != null) {
            return "patched";
        }
        return response.warnings().isEmpty() ? "unchanged" : "warned";
    }
}
