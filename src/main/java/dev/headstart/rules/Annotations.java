package dev.headstart.rules;

/** The annotation names Headstart reads and writes. */
public final class Annotations {

    /** {@code all}, or a comma list of rule names the object opts out of. */
    public static final String SKIP = "headstart.dev/skip";

    /** The rules Headstart applied to the object, so {@code kubectl get -o yaml} explains itself. */
    public static final String APPLIED = "headstart.dev/applied";

    private Annotations() {
    }
}
