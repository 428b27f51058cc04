package dev.headstart.controller.headroom;

/** Headroom parameters that cannot be used; the message is one line, fit for an Event and a CLI error. */
public class InvalidHeadroomParamsException extends RuntimeException {

    public InvalidHeadroomParamsException(String message) {
        super(message);
    }
}
