package io.mailproxy.protocols.imap;

import java.util.EnumSet;
import java.util.Set;

/** RFC 3501 section 3 connection states. The proxy answers in NOT_AUTHENTICATED; after login it relays. */
public enum ImapState {
    NOT_AUTHENTICATED,
    AUTHENTICATED,
    SELECTED,
    LOGOUT;

    /** The states in which a client may send commands. */
    static final Set<ImapState> ANY = EnumSet.of(NOT_AUTHENTICATED, AUTHENTICATED, SELECTED);
}
