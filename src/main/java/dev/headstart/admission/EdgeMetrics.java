package dev.headstart.admission;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the HTTP edge refused and why, and the review bytes it holds: {@code
 * headstart_http_refused_total{reason}}, {@code headstart_http_protocol_errors_total} and {@code
 * headstart_review_bytes_in_flight}. Reasons are a fixed set chosen here, never from a request.
 */
@Singleton
public class EdgeMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> refused = new ConcurrentHashMap<>();
    private final Counter protocolErrors;

    public EdgeMetrics(MeterRegistry registry, MemoryBudget budget) {
        this.registry = registry;
        this.protocolErrors = Counter.builder("headstart.http.protocol.errors")
                .description("Connections or requests dropped for broken HTTP or TLS (logged at a bounded rate)")
                .register(registry);
        Gauge.builder("headstart.review.bytes.in.flight", budget, MemoryBudget::inFlight)
                .description("Heap charged to review bodies being read")
                .register(registry);
        Gauge.builder("headstart.review.bytes.in.flight.limit", budget, MemoryBudget::inFlightLimit)
                .description("Heap review bodies may hold at once (a quarter of the max heap)")
                .register(registry);
    }

    /** A request refused at the edge: busy, too_large, too_slow, refused_media_type, refused_length. */
    public void refused(String reason) {
        refused.computeIfAbsent(reason, r -> Counter.builder("headstart.http.refused")
                .description("Review requests refused at the HTTP edge")
                .tag("reason", r)
                .register(registry)).increment();
    }

    public void protocolError() {
        protocolErrors.increment();
    }
}
