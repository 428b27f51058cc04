package dev.headstart.controller.imagecache;

import java.util.Set;

/**
 * An image the kubelets could not pull on some nodes where the plan puts it.
 *
 * @param nodes   the nodes where it failed
 * @param reason  the kubelet's reason on most of them ({@code ErrImagePull}, {@code ImagePullBackOff}, …)
 * @param message the kubelet's most telling message (a pull error rather than "Back-off pulling image")
 */
record FailedImage(String image, Set<String> nodes, String reason, String message) {

    /** One line for Events, reports and logs. */
    String describe() {
        return image + " could not be cached on " + nodes.size() + (nodes.size() == 1 ? " node" : " nodes")
                + ": " + reason + (message == null || message.isBlank() ? "" : " (" + oneLine(message) + ")");
    }

    private static String oneLine(String text) {
        String line = text.replaceAll("\\s+", " ").trim();
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
