package dev.headstart.controller.warmpool;

import dev.headstart.controller.warmpool.AutoScalingGateway.InstanceLifecycle;
import dev.headstart.controller.warmpool.AutoScalingGateway.LifecycleCallResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real AWS SDK against a local stub of the Auto Scaling query API. */
class SdkAutoScalingGatewayTest {

    private AutoScalingStub stub;
    private SdkAutoScalingGateway gateway;

    @BeforeEach
    void setUp() throws Exception {
        stub = new AutoScalingStub();
        gateway = stub.gateway();
    }

    @AfterEach
    void tearDown() {
        gateway.close();
        stub.close();
    }

    @Test
    void describeReturnsGroupAndLifecycleStateAndOmitsUnknownInstances() {
        stub.instance("i-0123456789abcdef0", "workers", "Warmed:Pending:Wait");

        Map<String, InstanceLifecycle> found = gateway.describe(List.of("i-0123456789abcdef0", "i-0fedcba9876543210"));

        assertThat(found).containsExactly(Map.entry("i-0123456789abcdef0",
                new InstanceLifecycle("i-0123456789abcdef0", "workers", "Warmed:Pending:Wait")));
        Map<String, String> request = stub.requests().get(0);
        assertThat(request).containsEntry("Action", "DescribeAutoScalingInstances")
                .containsEntry("Version", "2011-01-01")
                .containsEntry("InstanceIds.member.1", "i-0123456789abcdef0")
                .containsEntry("InstanceIds.member.2", "i-0fedcba9876543210");
    }

    @Test
    void warmPoolInstancesReadsEveryPageOfTheGroupsPool() {
        stub.instance("i-00000000000000001", "workers", "Warmed:Pending:Wait");
        stub.instance("i-00000000000000002", "workers", "Warmed:Stopped");
        stub.instance("i-00000000000000003", "workers", "Warmed:Hibernated");
        stub.instance("i-00000000000000004", "workers", "InService");
        stub.instance("i-00000000000000005", "others", "Warmed:Stopped");
        stub.warmPoolPageSize(2);

        assertThat(gateway.warmPoolInstances("workers")).containsExactly(
                new InstanceLifecycle("i-00000000000000001", "workers", "Warmed:Pending:Wait"),
                new InstanceLifecycle("i-00000000000000002", "workers", "Warmed:Stopped"),
                new InstanceLifecycle("i-00000000000000003", "workers", "Warmed:Hibernated"));
        assertThat(stub.requests("DescribeWarmPool")).hasSize(2)
                .allSatisfy(r -> assertThat(r).containsEntry("AutoScalingGroupName", "workers")
                        .containsEntry("MaxRecords", "100"));
        assertThat(stub.requests("DescribeWarmPool").get(1)).containsEntry("NextToken", "2");
    }

    @Test
    void describeBatchesFiftyIdsPerCall() {
        List<String> ids = IntStream.range(0, 120).mapToObj(i -> String.format("i-%017x", i)).toList();
        ids.forEach(id -> stub.instance(id, "workers", "InService"));

        assertThat(gateway.describe(ids)).hasSize(120);
        assertThat(stub.requests("DescribeAutoScalingInstances")).hasSize(3)
                .allSatisfy(r -> assertThat(r.keySet().stream().filter(k -> k.startsWith("InstanceIds.member.")))
                        .hasSizeLessThanOrEqualTo(50));
    }

    @Test
    void completeSendsTheExactParametersWithContinue() {
        stub.activeAction("headstart-warmup", "i-0123456789abcdef0");

        LifecycleCallResult result = gateway.completeLifecycleAction("workers", "headstart-warmup", "i-0123456789abcdef0");

        assertThat(result).isEqualTo(LifecycleCallResult.DONE);
        assertThat(stub.requests()).singleElement().isEqualTo(Map.of(
                "Action", "CompleteLifecycleAction",
                "Version", "2011-01-01",
                "AutoScalingGroupName", "workers",
                "LifecycleHookName", "headstart-warmup",
                "InstanceId", "i-0123456789abcdef0",
                "LifecycleActionResult", "CONTINUE"));
        assertThat(stub.actionActive("headstart-warmup", "i-0123456789abcdef0")).isFalse();
    }

    @Test
    void heartbeatSendsTheExactParameters() {
        stub.activeAction("headstart-warmup", "i-0123456789abcdef0");

        assertThat(gateway.recordHeartbeat("workers", "headstart-warmup", "i-0123456789abcdef0"))
                .isEqualTo(LifecycleCallResult.DONE);
        assertThat(stub.requests()).singleElement().isEqualTo(Map.of(
                "Action", "RecordLifecycleActionHeartbeat",
                "Version", "2011-01-01",
                "AutoScalingGroupName", "workers",
                "LifecycleHookName", "headstart-warmup",
                "InstanceId", "i-0123456789abcdef0"));
    }

    @Test
    void noActiveLifecycleActionCountsAsDone() {
        assertThat(gateway.completeLifecycleAction("workers", "headstart-warmup", "i-0123456789abcdef0"))
                .isEqualTo(LifecycleCallResult.NO_ACTIVE_ACTION);
        assertThat(gateway.recordHeartbeat("workers", "headstart-warmup", "i-0123456789abcdef0"))
                .isEqualTo(LifecycleCallResult.NO_ACTIVE_ACTION);
        assertThat(stub.requests()).hasSize(2);
    }

    @Test
    void otherValidationErrorsAreReportedNotSwallowed() {
        stub.failNext(400, "ValidationError", "1 validation error detected: Value at 'instanceId' failed");

        assertThatThrownBy(() -> gateway.completeLifecycleAction("workers", "headstart-warmup", "i-0123456789abcdef0"))
                .isInstanceOfSatisfying(AutoScalingCallException.class, e -> {
                    assertThat(e.kind()).isEqualTo(AutoScalingCallException.Kind.FAILED);
                    assertThat(e.getMessage()).contains("ValidationError").doesNotContain("\n");
                });
    }

    @Test
    void throttlingIsRetriedBySdk() {
        stub.activeAction("headstart-warmup", "i-0123456789abcdef0");
        stub.failNext(400, "Throttling", "Rate exceeded");

        assertThat(gateway.completeLifecycleAction("workers", "headstart-warmup", "i-0123456789abcdef0"))
                .isEqualTo(LifecycleCallResult.DONE);
        assertThat(stub.requests("CompleteLifecycleAction")).hasSize(2);
    }

    @Test
    void persistentThrottlingIsReportedAsThrottled() {
        for (int i = 0; i < 5; i++) {
            stub.failNext(400, "Throttling", "Rate exceeded");
        }

        assertThatThrownBy(() -> gateway.recordHeartbeat("workers", "headstart-warmup", "i-0123456789abcdef0"))
                .isInstanceOfSatisfying(AutoScalingCallException.class,
                        e -> assertThat(e.kind()).isEqualTo(AutoScalingCallException.Kind.THROTTLED));
        assertThat(stub.requests("RecordLifecycleActionHeartbeat")).hasSizeGreaterThan(1);
    }

    @Test
    void accessDeniedIsReportedAndNotRetried() {
        stub.failNext(403, "AccessDenied", "User: arn:aws:sts::123:assumed-role/headstart is not authorized");

        assertThatThrownBy(() -> gateway.describe(List.of("i-0123456789abcdef0")))
                .isInstanceOfSatisfying(AutoScalingCallException.class, e -> {
                    assertThat(e.kind()).isEqualTo(AutoScalingCallException.Kind.ACCESS_DENIED);
                    assertThat(e.getMessage()).startsWith("DescribeAutoScalingInstances failed: AccessDenied");
                });
        assertThat(stub.requests()).hasSize(1);
    }
}
