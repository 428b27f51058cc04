package dev.headstart.imagecache;

import java.util.Locale;

/**
 * The registry an image reference is pulled from, as the container runtime reads the name
 * (distribution's {@code reference.ParseNormalizedNamed}): the first path component when it has a
 * {@code .} or {@code :} or is {@code localhost}, else Docker Hub.
 */
final class ImageRegistry {

    static final String DOCKER_HUB = "docker.io";

    private ImageRegistry() {
    }

    /** {@code host} or {@code host:port}, lower case. */
    static String of(String image) {
        String name = image == null ? "" : image.trim();
        int slash = name.indexOf('/');
        if (slash < 0) {
            return DOCKER_HUB;
        }
        String first = name.substring(0, slash);
        if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
            return first.toLowerCase(Locale.ROOT);
        }
        return DOCKER_HUB;
    }
}
