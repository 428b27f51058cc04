package dev.headstart.rules;

/**
 * Just enough of a container image reference to tell whether it is pinned: a digest, or a tag
 * other than {@code latest}. A registry port ({@code host:5000/app}) is not a tag.
 */
public record ImageReference(String tag, String digest) {

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

    public boolean pinned() {
        return digest != null || (tag != null && !tag.equals("latest"));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
