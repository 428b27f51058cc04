package dev.headstart.bench;

import dev.headstart.admission.AdmissionMetrics;
import dev.headstart.admission.AdmissionRequest;
import dev.headstart.admission.AdmissionResponse;
import dev.headstart.admission.AdmissionReviewCodec;
import dev.headstart.admission.MutatingHandler;
import dev.headstart.testing.Reviews;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * What {@code /mutate} does per review without HTTP and TLS: bytes in, decode, handle, encode,
 * bytes out. {@code parseOnly} is the same bytes under a kind Headstart ignores (ConfigMap): the
 * difference to {@code review} on a {@code noop} pod is the cost of the rules' read-only pass.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AdmissionPathBenchmark {

    @Param({"2", "50"})
    public int containers;

    @Param({"changed", "noop"})
    public String pod;

    private MutatingHandler handler;
    private byte[] body;
    private byte[] ignoredKindBody;

    @Setup
    public void setUp() {
        handler = new MutatingHandler(BenchPods.engine(), new AdmissionMetrics(new SimpleMeterRegistry()));
        var object = pod.equals("changed") ? BenchPods.needsAll(containers) : BenchPods.alreadyMutated(containers);
        body = Reviews.bytes(Reviews.review("CREATE", object));
        var configMap = object.deepCopy().put("kind", "ConfigMap");
        ignoredKindBody = Reviews.bytes(Reviews.review("CREATE", configMap));
    }

    @Benchmark
    public byte[] review() throws Exception {
        AdmissionRequest request = AdmissionReviewCodec.decode(body);
        AdmissionResponse response = handler.handle(request);
        return AdmissionReviewCodec.encode(request.apiVersion(), response);
    }

    @Benchmark
    public byte[] parseOnly() throws Exception {
        AdmissionRequest request = AdmissionReviewCodec.decode(ignoredKindBody);
        AdmissionResponse response = handler.handle(request);
        return AdmissionReviewCodec.encode(request.apiVersion(), response);
    }
}
