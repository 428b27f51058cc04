package dev.headstart.rules;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Just enough of a container image reference to tell whether it can change under its name. A
 * registry port ({@code host:5000/app}) is not a tag.
 *
 * <p>Immutable: a digest, or a tag that names one build — a version with at least two numeric
 * parts ({@code 3.2.0}, {@code v1.31.2-eksbuild.3}, {@code 16.4}, {@code 1.25.3-alpine}), a commit
 * id (7 to 64 hex digits with at least one digit, optionally {@code sha-}, {@code git-} or
 * {@code g} before it), or a date ({@code 20240131}, {@code 2024-01-31}). A tag that also carries a
 * moving word ({@code latest}, {@code main}, {@code stable}, {@code nightly}, {@code SNAPSHOT}, …)
 * counts only when a commit id or date pins it ({@code main-1a2b3c4d} yes, {@code 1.2-SNAPSHOT} no).
 * Everything else may move: no tag, {@code latest}, {@code main}, a major version alone
 * ({@code 16}, {@code v2}: the newest 16.x), a wildcard ({@code 1.2.x}), a plain word.
 */
public record ImageReference(String tag, String digest) {

    /** Words that name a branch, channel or rolling build rather than one build. */
    static final Set<String> MOVING_WORDS = Set.of("latest", "main", "master", "trunk", "head", "stable", "dev",
            "devel", "develop", "development", "edge", "nightly", "canary", "unstable", "snapshot", "next",
            "current", "testing", "experimental", "rolling");

    private static final Pattern VERSION = Pattern.compile("v?\\d+(\\.\\d+)+");
    private static final Pattern COMMIT = Pattern.compile("(sha-|git-|g)?(?=[0-9a-f]*\\d)[0-9a-f]{7,64}");
    private static final Pattern COMPACT_DATE = Pattern.compile("\\d{8}(t\\d{4,6}z?)?");
    private static final Pattern DASHED_DATE = Pattern.compile("(^|[-_.])\\d{4}-\\d{2}-\\d{2}($|[-_.t])");

    public static ImageReference parse(String image) {
        String rest = image == null ? "" : image.trim();
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
        }
        return new ImageReference(emptyToNull(tag), emptyToNull(digest));
    }

    /** Whether the name always pulls the same image: a digest or an immutable-looking tag. */
    public boolean immutable() {
        return digest != null || (tag != null && immutableTag(tag));
    }

    /**
     * The pull policy the API server gives a container that has none ({@code SetDefaults_Container}
     * in {@code pkg/apis/core/v1/defaults.go}, tag from {@code pkg/util/parsers/parsers.go}):
     * Always when the tag is {@code latest} (also implied by no tag and no digest), else
     * IfNotPresent — even for a digest with a {@code latest} tag.
     */
    public String apiDefaultPullPolicy() {
        boolean latest = "latest".equals(tag) || (tag == null && digest == null);
        return latest ? "Always" : "IfNotPresent";
    }

    static boolean immutableTag(String tag) {
        String t = tag.toLowerCase(Locale.ROOT);
        boolean version = false;
        boolean build = DASHED_DATE.matcher(t).find();
        boolean moving = false;
        for (String part : t.split("[-_+]")) {
            if (VERSION.matcher(part).matches()) {
                version = true;
            } else if (COMMIT.matcher(part).matches() || COMPACT_DATE.matcher(part).matches()) {
                build = true;
            }
            for (String word : part.split("\\.")) {
                moving |= MOVING_WORDS.contains(word);
            }
        }
        return build || (version && !moving);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
