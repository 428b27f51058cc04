package dev.headstart.controller.warmpool;

import java.util.Optional;
import java.util.regex.Pattern;

/** The EC2 instance id in a node's {@code spec.providerID} ({@code aws:///us-east-1a/i-0abc...}). */
public final class ProviderId {

    private static final Pattern INSTANCE_ID = Pattern.compile("i-[0-9a-f]{8}([0-9a-f]{9})?");

    private ProviderId() {
    }

    /** Empty for a missing, non-AWS or malformed provider id (Fargate's {@code aws:///zone/fargate-ip-…} too). */
    public static Optional<String> instanceId(String providerId) {
        if (providerId == null || !providerId.startsWith("aws://")) {
            return Optional.empty();
        }
        String path = providerId.substring("aws://".length());
        int slash = path.lastIndexOf('/');
        String last = slash < 0 ? path : path.substring(slash + 1);
        return INSTANCE_ID.matcher(last).matches() ? Optional.of(last) : Optional.empty();
    }
}
