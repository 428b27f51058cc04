package dev.headstart.rules;

/**
 * What one item of a namespace's LimitRange says about CPU, in millicores (null: not set). The
 * API server has already defaulted the object ({@code SetDefaults_LimitRangeItem}: a {@code max}
 * without a {@code default} became the default), so {@code defaultMillis} is what LimitRanger puts
 * into a container that has no CPU limit.
 *
 * @param type        {@code Container} or {@code Pod}
 * @param ratioMillis {@code maxLimitRequestRatio} for CPU, times 1000
 */
public record CpuLimitRange(String name, String type, Long defaultMillis, Long maxMillis, Long ratioMillis) {

    public boolean isContainer() {
        return "Container".equals(type);
    }

    public boolean isPod() {
        return "Pod".equals(type);
    }
}
