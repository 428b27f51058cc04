package dev.headstart.rules;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/** The parsed {@code headstart.dev/skip} annotation of one object. */
public record SkipList(boolean all, Set<String> rules) {

    /** The value that skips every rule. */
    public static final String ALL = "all";

    public static final SkipList NONE = new SkipList(false, Set.of());

    public static SkipList of(Workload workload) {
        String value = workload.annotation(Annotations.SKIP);
        if (value == null || value.isBlank()) {
            return NONE;
        }
        Set<String> names = Arrays.stream(value.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        return new SkipList(names.contains(ALL), names);
    }

    public boolean skips(String rule) {
        return all || rules.contains(rule);
    }
}
