package dev.headstart.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headstart.rules.Mutation;
import dev.headstart.rules.RuleEngine;
import dev.headstart.rules.RuleResult;
import dev.headstart.rules.Workload;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The rule engine alone, on the parsed tree: {@code mutate} (read-only check, then copies and
 * per-rule diffs when something changes) and {@code evaluate} (the read-only check), for pods of 2
 * and 50 containers that need every rule ({@code changed}) or none ({@code noop}).
 * Run with {@code make jmh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RuleEngineBenchmark {

    @Param({"2", "50"})
    public int containers;

    @Param({"changed", "noop"})
    public String pod;

    private RuleEngine engine;
    private Workload workload;

    @Setup
    public void setUp() {
        engine = BenchPods.engine();
        ObjectNode object = pod.equals("changed") ? BenchPods.needsAll(containers) : BenchPods.alreadyMutated(containers);
        workload = Workload.of(object).orElseThrow();
        // The engine never modifies the received tree, so one object serves every invocation.
        if (engine.mutate(workload).changed() != pod.equals("changed")) {
            throw new IllegalStateException("fixture for " + pod + " is wrong");
        }
    }

    @Benchmark
    public Mutation mutate() {
        return engine.mutate(workload);
    }

    @Benchmark
    public List<RuleResult> evaluate() {
        return engine.evaluate(workload);
    }
}
