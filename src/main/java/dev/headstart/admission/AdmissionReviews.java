package dev.headstart.admission;

import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * One review from bytes to bytes: decode, delegate, encode. It knows no rules and no HTTP beyond
 * the status its answer goes out with.
 */
@Singleton
public class AdmissionReviews {

    private static final Logger LOG = Logger.getLogger(AdmissionReviews.class);

    /** The HTTP status and the encoded AdmissionReview (or reason) to send. */
    public record Answer(int status, byte[] body) {
    }

    private final AdmissionMetrics metrics;
    private final MemoryBudget budget;

    public AdmissionReviews(AdmissionMetrics metrics, MemoryBudget budget) {
        this.metrics = metrics;
        this.budget = budget;
    }

    public Answer review(String webhook, AdmissionHandler handler, byte[] body, int length) {
        long start = System.nanoTime();
        AdmissionRequest request;
        try {
            request = AdmissionReviewCodec.decode(body, 0, length, budget.reviewMapper());
        } catch (OversizedReviewException e) {
            LOG.debugf("review on /%s not evaluated: %s", webhook, e.getMessage());
            if (e.uid() == null) {
                metrics.request(webhook, "other", "other", "too_large", System.nanoTime() - start);
                return new Answer(413, (e.getMessage() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            countTooLarge(webhook, System.nanoTime() - start);
            // Not evaluated is what failurePolicy: Ignore gives too; in-band, the user sees why.
            return new Answer(200, AdmissionReviewCodec.encode(AdmissionReviewCodec.V1, AdmissionResponse.allow(e.uid(),
                    List.of("headstart: " + e.getMessage() + "; object admitted unchanged"))));
        } catch (InvalidReviewException e) {
            LOG.debugf("rejected malformed review on /%s: %s", webhook, e.getMessage());
            metrics.request(webhook, "other", "other", "invalid", System.nanoTime() - start);
            byte[] answer = AdmissionReviewCodec.encode(AdmissionReviewCodec.V1,
                    AdmissionResponse.invalid(e.uid(), e.getMessage()));
            // Without a uid the API server cannot match an in-band answer: say so at the HTTP level.
            return new Answer(e.uid() == null ? 400 : 200, answer);
        }
        AdmissionResponse response;
        try {
            response = handler.handle(request);
        } catch (RuntimeException e) {
            // Handlers fail open per rule; reaching here is a bug, and the object still goes through.
            LOG.errorf("/%s handler failed for %s %s/%s: %s", webhook, request.kind(), request.namespace(),
                    request.name(), e.toString());
            response = AdmissionResponse.allow(request.uid(), List.of("headstart: internal error; object admitted unchanged"));
        }
        metrics.request(webhook, request.kind(), request.operation(), outcome(response), System.nanoTime() - start);
        return new Answer(200, AdmissionReviewCodec.encode(request.apiVersion(), response));
    }

    /** A review answered in-band without evaluation because it was over the per-request budget. */
    void countTooLarge(String webhook, long nanos) {
        metrics.request(webhook, "other", "other", "too_large", nanos);
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
