package io.mailproxy.protocols.pop3;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The POP3 commands this front-end knows, each with the login-phase states it is valid in. Commands
 * of the TRANSACTION state (RFC 1939) and APOP are known but valid in no state here: they are
 * answered {@code -ERR} and counted like any invalid command.
 */
public enum Pop3Command {
    CAPA(Pop3State.AUTHORIZATION, Pop3State.AWAIT_PASS),
    USER(Pop3State.AUTHORIZATION, Pop3State.AWAIT_PASS),
    PASS(Pop3State.AWAIT_PASS),
    AUTH(Pop3State.AUTHORIZATION),
    NOOP(Pop3State.AUTHORIZATION, Pop3State.AWAIT_PASS),
    QUIT(Pop3State.AUTHORIZATION, Pop3State.AWAIT_PASS),
    /** Answered as the listener's TLS mode says (RFC 2595: only before USER). */
    STLS(Pop3State.AUTHORIZATION),
    APOP,
    STAT,
    LIST,
    RETR,
    DELE,
    RSET,
    TOP,
    UIDL,
    LAST;

    private static final Map<String, Pop3Command> BY_NAME = new HashMap<>();

    static {
        for (Pop3Command c : values()) {
            BY_NAME.put(c.name(), c);
        }
    }

    private final Set<Pop3State> validIn;

    Pop3Command(Pop3State... validIn) {
        this.validIn = validIn.length == 0 ? EnumSet.noneOf(Pop3State.class) : EnumSet.of(validIn[0], validIn);
    }

    /** Whether the command may be used in {@code state}. */
    public boolean isValidIn(Pop3State state) {
        return validIn.contains(state);
    }

    /** Case-insensitive lookup of a command keyword; null for an unknown keyword. */
    public static Pop3Command lookup(String keyword) {
        if (keyword.isEmpty() || keyword.length() > 4) {
            return null;
        }
        return BY_NAME.get(keyword.toUpperCase(Locale.ROOT));
    }
}
