package dev.headstart.admission;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * The HTTP edge of {@code /mutate} and {@code /validate}: what may be read, how much, how fast.
 * The body is read without blocking (no worker thread waits on a slow client), charged to the
 * {@link MemoryBudget} before it is buffered, and must arrive at a minimum rate. Decoding and the
 * rules run on the event loop: pure CPU work over in-memory data, no thread hop per review.
 */
@Singleton
public class ReviewEndpoint {

    private static final Logger LOG = Logger.getLogger(ReviewEndpoint.class);

    /** Bytes of an oversized body read to find its uid: the API server writes it first. */
    static final int HEAD_BYTES = 16 * 1024;

    /**
     * Every body gets this long, plus its length at {@link #MIN_BYTES_PER_SECOND}, and never more
     * than {@link #MAX_BODY_MILLIS}. The API server writes a whole review at once and gives up on
     * the webhook after its timeoutSeconds (3 here, at most 30), so a slower body is never a review.
     * The grace is generous on purpose: a CPU-starved node must not cut real reviews, and a slow
     * client holds only a connection slot and the bytes it sent.
     */
    static final long BODY_GRACE_MILLIS = 10_000;
    static final long MIN_BYTES_PER_SECOND = 256 * 1024;
    static final long HEAD_GRACE_MILLIS = 2_000;
    static final long MAX_BODY_MILLIS = 30_000;

    /** Seconds a refused client should wait: in-flight reviews finish in milliseconds. */
    static final String RETRY_AFTER = "1";

    private final AdmissionReviews reviews;
    private final MutatingHandler mutating;
    private final ValidatingHandler validating;
    private final EdgeMetrics metrics;
    private final MemoryBudget budget;

    public ReviewEndpoint(AdmissionReviews reviews, MutatingHandler mutating, ValidatingHandler validating,
            EdgeMetrics metrics, MemoryBudget budget) {
        this.reviews = reviews;
        this.mutating = mutating;
        this.validating = validating;
        this.metrics = metrics;
        this.budget = budget;
    }

    void routes(@Observes Router router) {
        router.post("/mutate").handler(ctx -> accept(ctx, "mutate", mutating));
        router.post("/validate").handler(ctx -> accept(ctx, "validate", validating));
    }

    void logLimits(@Observes StartupEvent start) {
        LOG.debugf("review limits: body %d bytes, %d tokens, %d bytes in flight", budget.maxBody(),
                budget.maxTokens(), budget.inFlightLimit());
    }

    private void accept(RoutingContext ctx, String webhook, AdmissionHandler handler) {
        HttpServerRequest request = ctx.request();
        if (!isJson(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
            // What kube-apiserver sends (client-go rest, ContentConfig.ContentType = application/json).
            refuse(request, 415, "refused_media_type", "Content-Type must be application/json\n");
            return;
        }
        long declared = declaredLength(request);
        if (declared == -2) {
            refuse(request, 400, "refused_length", "bad Content-Length\n");
            return;
        }
        boolean oversized = declared > budget.maxBody();
        // Checked from the headers, so a flood of large bodies is refused before any is read; the
        // budget is then charged as bytes arrive, so a slow client holds only what it sent.
        if (!oversized && declared > 0 && budget.inFlight() + BUFFER_FACTOR * declared
                > (declared > MemoryBudget.LARGE_BODY ? budget.inFlightLimit() / 4 * 3 : budget.inFlightLimit())) {
            busy(request);
            return;
        }
        new Exchange(ctx, webhook, handler, oversized ? HEAD_BYTES : declared >= 0 ? declared : budget.maxBody(), oversized)
                .start(declared);
    }

    /**
     * A body buffer grows by doubling, so it may hold up to twice what arrived: that is what is
     * charged.
     */
    static final int BUFFER_FACTOR = 2;

    private void busy(HttpServerRequest request) {
        metrics.refused("busy");
        request.response().putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER);
        refuse(request, 503, null, "busy: too many reviews in flight, retry\n");
    }

    /** One review being read: owns its charge on the budget and gives it back exactly once. */
    private final class Exchange {
        private final RoutingContext ctx;
        private final String webhook;
        private final AdmissionHandler handler;
        /** Bytes this exchange reads at most: the declared length, the limit, or an oversized body's head. */
        private final long limit;
        private final Buffer body;
        private final long start = System.nanoTime();
        private boolean oversized;
        private boolean finished;
        private long charged;
        private long timer;

        Exchange(RoutingContext ctx, String webhook, AdmissionHandler handler, long limit, boolean oversized) {
            this.ctx = ctx;
            this.webhook = webhook;
            this.handler = handler;
            this.limit = limit;
            this.oversized = oversized;
            this.body = Buffer.buffer((int) Math.min(limit, 16 * 1024));
        }

        void start(long declared) {
            HttpServerRequest request = ctx.request();
            long expected = oversized ? HEAD_BYTES : declared >= 0 ? declared : budget.maxBody();
            // An oversized body is answered from its head: 413 at once when the head does not come.
            long grace = oversized ? HEAD_GRACE_MILLIS : BODY_GRACE_MILLIS;
            timer = ctx.vertx().setTimer(Math.min(MAX_BODY_MILLIS, grace + expected * 1000 / MIN_BYTES_PER_SECOND),
                    id -> tooSlow());
            request.response().closeHandler(v -> finish());
            request.exceptionHandler(e -> finish());
            request.handler(this::chunk);
            request.endHandler(v -> complete());
            request.resume();
        }

        private void chunk(Buffer data) {
            if (finished) {
                return;
            }
            int take = data.length();
            if (body.length() + take > limit) {
                // Past what this exchange reads: a chunked body over the limit, or an oversized body's head.
                oversized = true;
                take = (int) Math.max(0, Math.min(take, HEAD_BYTES - body.length()));
            }
            if (take > 0) {
                if (!budget.tryReserve(BUFFER_FACTOR * (long) take, limit)) {
                    finish();
                    busy(ctx.request());
                    return;
                }
                charged += BUFFER_FACTOR * (long) take;
                body.appendBuffer(data, 0, take);
            }
            if (oversized && (body.length() >= HEAD_BYTES || take < data.length())) {
                answerOversized();
            }
        }

        private void complete() {
            if (finished) {
                return;
            }
            if (oversized) {
                answerOversized();
                return;
            }
            AdmissionReviews.Answer answer = reviews.review(webhook, handler, bytes(), body.length());
            finish();
            ctx.response().setStatusCode(answer.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(Buffer.buffer(answer.body()));
        }

        private void tooSlow() {
            if (finished) {
                return;
            }
            if (oversized) {
                answerOversized();
                return;
            }
            metrics.refused("too_slow");
            ctx.response().setStatusCode(408);
            finish();
            endAndClose(ctx.request(), Buffer.buffer("body not received in time\n"), true);
        }

        /** In-band when the head shows the uid (the API server then admits the object unchanged), else 413. */
        private void answerOversized() {
            metrics.refused("too_large");
            String uid = ReviewUid.find(bytes(), 0, body.length());
            if (uid == null) {
                ctx.response().setStatusCode(413);
                closeAfter(Buffer.buffer("review body over " + budget.maxBody() + " bytes\n"));
                return;
            }
            byte[] answer = AdmissionReviewCodec.encode(AdmissionReviewCodec.V1, AdmissionResponse.allow(uid,
                    List.of("headstart: review over " + budget.maxBody() + " bytes not evaluated; object admitted unchanged")));
            reviews.countTooLarge(webhook, System.nanoTime() - start);
            ctx.response().setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
            closeAfter(Buffer.buffer(answer));
        }

        /** The bytes read so far, without a copy when the buffer is a plain heap array. */
        private byte[] bytes() {
            io.netty.buffer.ByteBuf buf = body.getByteBuf();
            return buf.hasArray() && buf.arrayOffset() == 0 && buf.readerIndex() == 0 ? buf.array() : body.getBytes();
        }

        /** Answers before the body was read in full: the rest is discarded, then the connection ends. */
        private void closeAfter(Buffer text) {
            finish();
            endAndClose(ctx.request(), text, true);
        }

        private void finish() {
            if (!finished) {
                finished = true;
                ctx.vertx().cancelTimer(timer);
                budget.release(charged);
                charged = 0;
            }
        }
    }

    private void refuse(HttpServerRequest request, int status, String reason, String text) {
        if (reason != null) {
            metrics.refused(reason);
        }
        request.response().setStatusCode(status);
        endAndClose(request, Buffer.buffer(text), true);
    }

    /** How much and how long the rest of a refused body is read and dropped, so the client reads the answer. */
    static final long DRAIN_MILLIS = 3_000;
    static final long DRAIN_BYTES = 256 * 1024;

    /**
     * Ends the response and the connection. With {@code drain}, what the client still sends is read
     * and dropped (nothing buffered) until the request ends, {@link #DRAIN_BYTES} were dropped or
     * {@link #DRAIN_MILLIS} pass: a client still writing a small body then reads the answer
     * instead of a reset, and a large one costs little decrypting.
     */
    private static void endAndClose(HttpServerRequest request, Buffer text, boolean drain) {
        request.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        request.response().end(text);
        if (!drain || request.isEnded()) {
            request.connection().close();
            return;
        }
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.currentContext().owner();
        long timer = vertx.setTimer(DRAIN_MILLIS, id -> request.connection().close());
        long[] dropped = {0};
        request.handler(data -> {
            dropped[0] += data.length();
            if (dropped[0] > DRAIN_BYTES) {
                vertx.cancelTimer(timer);
                request.connection().close();
            }
        });
        request.endHandler(v -> {
            vertx.cancelTimer(timer);
            request.connection().close();
        });
        request.resume();
    }

    /** The declared length, -1 when there is none (chunked), -2 when it is not a number. */
    private static long declaredLength(HttpServerRequest request) {
        String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (value == null) {
            return -1;
        }
        try {
            long length = Long.parseLong(value.trim());
            return length < 0 ? -2 : length;
        } catch (NumberFormatException e) {
            return -2;
        }
    }

    /** {@code application/json}, with or without parameters such as {@code charset=utf-8}. */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
        return type.equalsIgnoreCase("application/json");
    }
}
