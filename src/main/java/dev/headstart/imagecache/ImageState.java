package dev.headstart.imagecache;

/** Where one image of a cache pod stands on its node. */
public enum ImageState {
    /** The image is on the node: its container ran. */
    CACHED,
    /** Not yet: the pod or the pull has not got there. */
    PENDING,
    /** The pull (or the container's start) failed; the kubelet retries with back-off. */
    FAILED
}
