package dev.headstart.cli;

/** Input the CLI cannot use (missing file, broken YAML); the message is the one line users see. */
final class InputException extends Exception {

    InputException(String message) {
        super(message, null, false, false);
    }
}
