package dev.headstart.rules;

/**
 * A ResourceQuota of the namespace that tracks {@code limits.cpu}: its hard limit and what its
 * status says is used, in millicores ({@code usedMillis} null until the quota controller has
 * written a status).
 */
public record CpuQuota(String name, long hardMillis, Long usedMillis) {
}
