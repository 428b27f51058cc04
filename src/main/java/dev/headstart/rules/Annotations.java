package dev.headstart.rules;

/** The annotation names Headstart reads and writes. */
public final class Annotations {

    /** {@code all}, or a comma list of rule names the object opts out of. */
    public static final String SKIP = "headstart.dev/skip";

    /** The rules Headstart applied to the object, so {@code kubectl get -o yaml} explains itself. */
    public static final String APPLIED = "headstart.dev/applied";

    /**
     * On a pod or pod template: the fields Headstart added or changed, with a hash of what it wrote
     * and the owner's value before ({@link OwnedFields}).
     */
    public static final String OWNED = "headstart.dev/owned";

    private Annotations() {
    }
}
