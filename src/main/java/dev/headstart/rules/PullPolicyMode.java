package dev.headstart.rules;

/** How far the pull-policy rule goes. */
public enum PullPolicyMode {
    /** IfNotPresent for images pinned by digest or by a tag other than latest. */
    PINNED,
    /** IfNotPresent for every image. */
    ALL,
    /** The rule does nothing. */
    OFF
}
