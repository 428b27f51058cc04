package dev.headstart.rules;

/** How far the pull-policy rule goes. */
public enum PullPolicyMode {
    /** IfNotPresent for images pinned by digest or an immutable-looking tag ({@link ImageReference#immutable}). */
    PINNED,
    /** IfNotPresent for every image. */
    ALL,
    /** The rule does nothing. */
    OFF
}
