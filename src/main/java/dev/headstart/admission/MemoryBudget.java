package dev.headstart.admission;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.headstart.json.Json;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How much heap admission reviews may hold, derived from the heap, and the count of what they hold
 * now. Bodies are charged before a byte of them is buffered; trees are bounded by the token limit
 * of the review mapper. Parsing and rules run on the event loops, so at most one tree per event
 * loop exists at a time:
 * <pre>
 *   bodies in flight       &lt;= heap / 4          (charged here, refused with 503 when full)
 *   trees in flight        &lt;= eventLoops * maxTokens * WORST_BYTES_PER_TOKEN  ~ heap / 4
 *   one body               &lt;= min(4 MiB, heap / 16)
 * </pre>
 * The other half of the heap is the server's own (caches, TLS buffers, connections).
 */
public final class MemoryBudget {

    /**
     * Largest review body. An AdmissionReview carries {@code object} and {@code oldObject}; etcd
     * keeps objects under ~1.5 MiB and the API server refuses request bodies over 3 MiB.
     */
    public static final long MAX_BODY = 4L * 1024 * 1024;

    /**
     * Heap held per JSON token while a review is handled, worst case over shapes: the parsed tree,
     * the rule engine's working copy and the diff (measured by MemoryBudgetTest#worstCaseBytesPerToken
     * and BENCHMARKS.md). Real pods hold far less (strings carry many bytes per token).
     */
    public static final long WORST_BYTES_PER_TOKEN = 400;

    /** No limit below this: a few thousand tokens is a normal pod; a tiny heap is the operator's choice. */
    private static final long MIN_TOKENS = 20_000;

    private final long maxBody;
    private final long inFlightLimit;
    private final long maxTokens;
    private final ObjectMapper reviewMapper;
    private final AtomicLong inFlight = new AtomicLong();

    MemoryBudget(long heap, int eventLoops) {
        this.maxBody = Math.min(MAX_BODY, heap / 16);
        this.inFlightLimit = heap / 4;
        this.maxTokens = Math.max(MIN_TOKENS, heap / 4 / Math.max(1, eventLoops) / WORST_BYTES_PER_TOKEN);
        this.reviewMapper = JsonMapper.builder(JsonFactory.builder()
                        .streamReadConstraints(StreamReadConstraints.builder()
                                .maxNestingDepth(Json.MAX_NESTING_DEPTH)
                                .maxDocumentLength(maxBody)
                                .maxTokenCount(maxTokens)
                                // One string may be most of an object (a large annotation), never more.
                                .maxStringLength((int) maxBody)
                                .maxNameLength(64 * 1024)
                                .build())
                        .build())
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    /** The budget for this JVM: its max heap, and Quarkus' default of two event loops per core. */
    public static MemoryBudget forThisJvm() {
        return new MemoryBudget(Runtime.getRuntime().maxMemory(), 2 * Runtime.getRuntime().availableProcessors());
    }

    /**
     * Bodies over this share at most three quarters of the in-flight budget, so a flood of large
     * bodies leaves room for the small reviews real pods make.
     */
    public static final long LARGE_BODY = 256 * 1024;

    /**
     * Takes {@code bytes} from the in-flight budget for a body of at most {@code bodyLimit} bytes,
     * or nothing and false when they do not fit.
     */
    public boolean tryReserve(long bytes, long bodyLimit) {
        long limit = bodyLimit > LARGE_BODY ? inFlightLimit / 4 * 3 : inFlightLimit;
        while (true) {
            long now = inFlight.get();
            if (now + bytes > limit) {
                return false;
            }
            if (inFlight.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    public void release(long bytes) {
        inFlight.addAndGet(-bytes);
    }

    public long inFlight() {
        return inFlight.get();
    }

    public long inFlightLimit() {
        return inFlightLimit;
    }

    public long maxBody() {
        return maxBody;
    }

    public long maxTokens() {
        return maxTokens;
    }

    /** The mapper reviews are read with: the shared one's rules plus this budget's size limits. */
    public ObjectMapper reviewMapper() {
        return reviewMapper;
    }
}
