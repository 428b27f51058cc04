package dev.headstart.admission;

/** A request body that is not a usable AdmissionReview; the message is the one-line reason. */
public class InvalidReviewException extends Exception {

    private final String uid;

    public InvalidReviewException(String reason, String uid) {
        super(reason, null, false, false);
        this.uid = uid;
    }

    /** The request's uid when it could be read, else null (the answer then goes out as HTTP 400). */
    public String uid() {
        return uid;
    }
}
