package io.mailproxy.protocols.imap;

import java.util.Objects;

/**
 * A command line the decoder could not accept: the session answers {@code tag BAD message}
 * ({@code * BAD message} when {@code tag} is null) and counts it towards max-errors.
 *
 * @param tag     the client's tag when it could be read, else null
 * @param message fixed text for the client (never echoes client input)
 */
public record ImapDecodeError(String tag, String message) {
    public ImapDecodeError {
        Objects.requireNonNull(message, "message");
    }
}
