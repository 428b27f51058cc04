package dev.headstart.admission;

/**
 * A review over the memory budget of one request (bytes, tokens or string length): not evaluated,
 * answered in-band when its uid could be read.
 */
public final class OversizedReviewException extends InvalidReviewException {

    public OversizedReviewException(String reason, String uid) {
        super(reason, uid);
    }
}
