package io.mailproxy.protocols.imap;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The IMAP commands the front-end knows, each with the states it is valid in (RFC 3501, 9051 and
 * extensions) and how its arguments are read. Resolved by {@link #lookup}; a name not found is an
 * unknown command. Commands valid only after login are known so that they get a precise error.
 */
public enum ImapCommandType {
    CAPABILITY(ImapState.ANY, Syntax.NONE),
    NOOP(ImapState.ANY, Syntax.NONE),
    LOGOUT(ImapState.ANY, Syntax.NONE),
    ID(ImapState.ANY, Syntax.ID),
    STARTTLS(EnumSet.of(ImapState.NOT_AUTHENTICATED), Syntax.NONE),
    AUTHENTICATE(EnumSet.of(ImapState.NOT_AUTHENTICATED), Syntax.AUTHENTICATE),
    LOGIN(EnumSet.of(ImapState.NOT_AUTHENTICATED), Syntax.LOGIN),

    ENABLE(Authenticated.STATES, Syntax.UNPARSED),
    SELECT(Authenticated.STATES, Syntax.UNPARSED),
    EXAMINE(Authenticated.STATES, Syntax.UNPARSED),
    CREATE(Authenticated.STATES, Syntax.UNPARSED),
    DELETE(Authenticated.STATES, Syntax.UNPARSED),
    RENAME(Authenticated.STATES, Syntax.UNPARSED),
    SUBSCRIBE(Authenticated.STATES, Syntax.UNPARSED),
    UNSUBSCRIBE(Authenticated.STATES, Syntax.UNPARSED),
    LIST(Authenticated.STATES, Syntax.UNPARSED),
    LSUB(Authenticated.STATES, Syntax.UNPARSED),
    NAMESPACE(Authenticated.STATES, Syntax.UNPARSED),
    STATUS(Authenticated.STATES, Syntax.UNPARSED),
    APPEND(Authenticated.STATES, Syntax.UNPARSED),
    IDLE(Authenticated.STATES, Syntax.UNPARSED),
    GETQUOTA(Authenticated.STATES, Syntax.UNPARSED),
    GETQUOTAROOT(Authenticated.STATES, Syntax.UNPARSED),
    CHECK(Selected.STATES, Syntax.UNPARSED),
    CLOSE(Selected.STATES, Syntax.UNPARSED),
    UNSELECT(Selected.STATES, Syntax.UNPARSED),
    EXPUNGE(Selected.STATES, Syntax.UNPARSED),
    SEARCH(Selected.STATES, Syntax.UNPARSED),
    FETCH(Selected.STATES, Syntax.UNPARSED),
    STORE(Selected.STATES, Syntax.UNPARSED),
    COPY(Selected.STATES, Syntax.UNPARSED),
    MOVE(Selected.STATES, Syntax.UNPARSED),
    UID(Selected.STATES, Syntax.UNPARSED);

    /** How the arguments after the command name are read. */
    enum Syntax {
        /** No arguments. */
        NONE,
        /** {@code SP astring SP astring}. */
        LOGIN,
        /** {@code SP auth-type [SP (base64 / "=")]} (RFC 4959 SASL-IR). */
        AUTHENTICATE,
        /** {@code SP (NIL / "(" [string SP nstring *(SP string SP nstring)] ")")} (RFC 2971). */
        ID,
        /** Never read: such commands are rejected by state before login. */
        UNPARSED
    }

    private static final Map<String, ImapCommandType> BY_NAME = new HashMap<>();

    static {
        for (ImapCommandType t : values()) {
            BY_NAME.put(t.name(), t);
        }
    }

    private final Set<ImapState> validIn;
    private final Syntax syntax;

    ImapCommandType(Set<ImapState> validIn, Syntax syntax) {
        this.validIn = validIn;
        this.syntax = syntax;
    }

    /** The command called {@code name} (case-insensitive), or null when unknown. */
    public static ImapCommandType lookup(String name) {
        return name.length() > 16 ? null : BY_NAME.get(name.toUpperCase(Locale.ROOT));
    }

    public boolean isValidIn(ImapState state) {
        return validIn.contains(state);
    }

    Syntax syntax() {
        return syntax;
    }

    private static final class Authenticated {
        static final Set<ImapState> STATES = EnumSet.of(ImapState.AUTHENTICATED, ImapState.SELECTED);
    }

    private static final class Selected {
        static final Set<ImapState> STATES = EnumSet.of(ImapState.SELECTED);
    }
}
