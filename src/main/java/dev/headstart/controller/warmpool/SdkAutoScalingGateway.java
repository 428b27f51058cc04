package dev.headstart.controller.warmpool;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.AutoScalingClientBuilder;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingInstanceDetails;

import java.net.URI;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@link AutoScalingGateway} on the AWS SDK v2. Credentials come from the default chain (IRSA web
 * identity, EKS Pod Identity, environment, instance profile); the region from configuration or the
 * SDK's default chain (which includes instance metadata).
 */
public final class SdkAutoScalingGateway implements AutoScalingGateway, AutoCloseable {

    private final AutoScalingClient client;

    public SdkAutoScalingGateway(AutoScalingClient client) {
        this.client = client;
    }

    /** The production client: default credentials, optional region and endpoint override. */
    public static SdkAutoScalingGateway create(Optional<String> region, Optional<String> endpoint) {
        return create(region, endpoint, DefaultCredentialsProvider.builder().build());
    }

    public static SdkAutoScalingGateway create(Optional<String> region, Optional<String> endpoint,
                                               AwsCredentialsProvider credentials) {
        AutoScalingClientBuilder builder = AutoScalingClient.builder()
                .httpClient(UrlConnectionHttpClient.builder().build())
                .credentialsProvider(credentials);
        region.filter(r -> !r.isBlank()).ifPresent(r -> builder.region(Region.of(r.trim())));
        endpoint.filter(e -> !e.isBlank()).ifPresent(e -> builder.endpointOverride(URI.create(e.trim())));
        return new SdkAutoScalingGateway(builder.build());
    }

    /** The API's limit on instance ids per DescribeAutoScalingInstances call. */
    static final int DESCRIBE_BATCH = 50;

    @Override
    public Map<String, InstanceLifecycle> describe(Collection<String> instanceIds) {
        List<String> ids = List.copyOf(new TreeSet<>(instanceIds));
        Map<String, InstanceLifecycle> found = new LinkedHashMap<>();
        for (int from = 0; from < ids.size(); from += DESCRIBE_BATCH) {
            List<String> batch = ids.subList(from, Math.min(ids.size(), from + DESCRIBE_BATCH));
            call("DescribeAutoScalingInstances", () -> {
                client.describeAutoScalingInstancesPaginator(r -> r.instanceIds(batch).maxRecords(DESCRIBE_BATCH))
                        .autoScalingInstances()
                        .forEach(details -> found.put(details.instanceId(), lifecycle(details)));
                return null;
            });
        }
        return found;
    }

    private static InstanceLifecycle lifecycle(AutoScalingInstanceDetails details) {
        // A plain string in this API, so states newer than the SDK pass through unchanged.
        return new InstanceLifecycle(details.instanceId(), details.autoScalingGroupName(), details.lifecycleState());
    }

    @Override
    public List<LifecycleHook> launchingHooks(String groupName) {
        return call("DescribeLifecycleHooks", () -> client.describeLifecycleHooks(r -> r.autoScalingGroupName(groupName))
                .lifecycleHooks().stream()
                .filter(h -> "autoscaling:EC2_INSTANCE_LAUNCHING".equals(h.lifecycleTransition()))
                .map(h -> new LifecycleHook(h.lifecycleHookName(),
                        java.time.Duration.ofSeconds(h.heartbeatTimeout() == null ? 3600 : h.heartbeatTimeout()),
                        h.defaultResult() == null ? "ABANDON" : h.defaultResult()))
                .toList());
    }

    /** The API's limit on instances per DescribeWarmPool page. */
    static final int WARM_POOL_PAGE = 100;

    @Override
    public List<InstanceLifecycle> warmPoolInstances(String groupName) {
        return call("DescribeWarmPool", () -> client.describeWarmPoolPaginator(r -> r
                        .autoScalingGroupName(groupName).maxRecords(WARM_POOL_PAGE))
                .instances().stream()
                .map(i -> new InstanceLifecycle(i.instanceId(), groupName, i.lifecycleStateAsString()))
                .toList());
    }

    @Override
    public LifecycleCallResult completeLifecycleAction(String groupName, String hookName, String instanceId) {
        return lifecycleCall("CompleteLifecycleAction", () -> client.completeLifecycleAction(r -> r
                .autoScalingGroupName(groupName)
                .lifecycleHookName(hookName)
                .instanceId(instanceId)
                .lifecycleActionResult("CONTINUE")));
    }

    @Override
    public LifecycleCallResult recordHeartbeat(String groupName, String hookName, String instanceId) {
        return lifecycleCall("RecordLifecycleActionHeartbeat", () -> client.recordLifecycleActionHeartbeat(r -> r
                .autoScalingGroupName(groupName)
                .lifecycleHookName(hookName)
                .instanceId(instanceId)));
    }

    private LifecycleCallResult lifecycleCall(String action, Runnable call) {
        try {
            return call(action, () -> {
                call.run();
                return LifecycleCallResult.DONE;
            });
        } catch (NoActiveAction e) {
            return LifecycleCallResult.NO_ACTIVE_ACTION;
        }
    }

    private static <T> T call(String action, Supplier<T> call) {
        try {
            return call.get();
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorCode());
            String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
            if ("ValidationError".equals(code) && message != null
                    && message.toLowerCase(Locale.ROOT).contains("no active lifecycle action")) {
                throw new NoActiveAction();
            }
            AutoScalingCallException.Kind kind = e.isThrottlingException() || code.startsWith("Throttling")
                    ? AutoScalingCallException.Kind.THROTTLED
                    : code.startsWith("AccessDenied") || code.equals("UnauthorizedOperation")
                    ? AutoScalingCallException.Kind.ACCESS_DENIED
                    : AutoScalingCallException.Kind.FAILED;
            throw new AutoScalingCallException(kind, action + " failed: " + code + ": " + message, e);
        } catch (SdkException e) {
            throw new AutoScalingCallException(AutoScalingCallException.Kind.FAILED,
                    action + " failed: " + e.getMessage(), e);
        }
    }

    /** Internal signal: the lifecycle action had already been completed. */
    private static final class NoActiveAction extends RuntimeException {
        NoActiveAction() {
            super(null, null, false, false);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
