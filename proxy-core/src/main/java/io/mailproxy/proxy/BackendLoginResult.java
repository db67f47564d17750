package io.mailproxy.proxy;

import io.netty.buffer.ByteBuf;

/** How a backend login exchange ended (a failure to talk to the backend fails the promise instead). */
public sealed interface BackendLoginResult {

    /** Bytes to send to the client: the backend's own success reply, verbatim where the protocol allows. */
    ByteBuf toClient();

    /** The backend accepted the login; the session is spliced after {@link #toClient()} is written. */
    record LoggedIn(ByteBuf toClient) implements BackendLoginResult {
    }

    /**
     * The backend refused credentials the account store accepted: the client sees the backend's
     * reply ({@link #toClient()}), the log gets {@code backendLine}.
     */
    record Refused(ByteBuf toClient, String backendLine) implements BackendLoginResult {
    }
}
