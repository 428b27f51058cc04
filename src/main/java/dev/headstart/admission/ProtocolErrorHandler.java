package dev.headstart.admission;

import dev.headstart.text.OneLine;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.concurrent.TimeUnit;

/**
 * Requests the HTTP layer already refused as malformed (no {@code Host}, an HTTP/2 preface on
 * HTTP/1.1, a bad header): counted in {@code headstart_http_protocol_errors_total}, answered 400,
 * connection closed, and logged at most {@link #LINES_PER_MINUTE} times a minute. Quarkus' own
 * error handler would log one ERROR line with an error id per request, so anyone could flood the log.
 */
@Singleton
public class ProtocolErrorHandler {

    private static final Logger LOG = Logger.getLogger(ProtocolErrorHandler.class);
    static final int LINES_PER_MINUTE = 5;

    private final EdgeMetrics metrics;
    private final LogBudget log = new LogBudget(LINES_PER_MINUTE, TimeUnit.MINUTES.toNanos(1));

    public ProtocolErrorHandler(EdgeMetrics metrics) {
        this.metrics = metrics;
    }

    void routes(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        // Only the router's own 4xx for a malformed request; failures thrown by a handler go on.
        if (ctx.statusCode() < 400 || ctx.statusCode() >= 500 || ctx.response().headWritten()) {
            ctx.next();
            return;
        }
        metrics.protocolError();
        long dropped = log.admit(System.nanoTime());
        if (dropped >= 0) {
            String reason = ctx.failure() == null ? "status " + ctx.statusCode() : OneLine.of(ctx.failure());
            LOG.warnf("refused a malformed request from %s: %s%s", ctx.request().remoteAddress(), reason,
                    dropped == 0 ? "" : " (" + dropped + " more not logged)");
        }
        ctx.response().setStatusCode(ctx.statusCode()).putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
                .end().onComplete(done -> ctx.request().connection().close());
    }
}
