package io.mailproxy.protocols.imap;

import io.mailproxy.protocols.imap.ImapRequestReader.Incomplete;
import io.mailproxy.protocols.imap.ImapRequestReader.ImapSyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a framed command ({@link ImapRequestReader}'s segments) into an {@link ImapCommand} or an
 * {@link ImapDecodeError}: tag, command name (looked up in {@link ImapCommandType}, checked against
 * the session state), then the arguments of that command.
 */
final class ImapCommandParser {
    private ImapCommandParser() {
    }

    /**
     * Parses a complete command ({@code literalPending} false), or checks one whose next literal has
     * been announced ({@code literalPending} true): then null means "valid so far, a literal may
     * follow here".
     */
    static Object parse(List<byte[]> texts, List<byte[]> literals, boolean literalPending, ImapState state) {
        ImapRequestReader r = new ImapRequestReader(texts, literals, literalPending);
        if (r.atEnd()) {
            return new ImapDecodeError(null, "Empty command line");
        }
        String tag = r.tag();
        int next = r.peek();
        if (tag == null || (next != ' ' && next != ImapRequestReader.END)) {
            return new ImapDecodeError(null, "Invalid tag");
        }
        try {
            if (r.atEnd()) {
                return new ImapDecodeError(tag, "Missing command");
            }
            r.sp();
            String name = commandName(r);
            if (name == null) {
                return new ImapDecodeError(tag, r.atEnd() ? "Missing command" : "Invalid command");
            }
            ImapCommandType type = ImapCommandType.lookup(name);
            if (type == null) {
                return new ImapDecodeError(tag, "Unknown command");
            }
            if (!type.isValidIn(state)) {
                return new ImapDecodeError(tag, type.name() + " not allowed now");
            }
            ImapArguments args = arguments(type, r);
            return new ImapCommand(tag, type, args);
        } catch (Incomplete e) {
            return null;
        } catch (ImapSyntaxException e) {
            return new ImapDecodeError(tag, e.getMessage());
        }
    }

    /** The command name: ASCII letters only (every IMAP command name is), else null. */
    private static String commandName(ImapRequestReader r) {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = r.peek()) >= 0 && c != ' '; ) {
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) || sb.length() >= 32) {
                return null;
            }
            sb.append((char) c);
            r.skip();
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    private static ImapArguments arguments(ImapCommandType type, ImapRequestReader r)
            throws ImapSyntaxException, Incomplete {
        switch (type.syntax()) {
            case NONE, UNPARSED -> {
                if (!r.atEnd()) {
                    throw new ImapSyntaxException(r.peek() == ImapRequestReader.LITERAL
                            ? "Unexpected literal" : "Unexpected arguments");
                }
                return ImapArguments.None.INSTANCE;
            }
            case LOGIN -> {
                r.sp();
                String user = r.astring();
                r.sp();
                String password = r.astring();
                r.end();
                return new ImapArguments.Login(user, password);
            }
            case AUTHENTICATE -> {
                r.sp();
                String mechanism = r.atom().toUpperCase(Locale.ROOT);
                String initial = null;
                if (!r.atEnd()) {
                    r.sp();
                    initial = r.atom();
                    r.end();
                }
                return new ImapArguments.Authenticate(mechanism, initial);
            }
            case ID -> {
                r.sp();
                return new ImapArguments.Id(idParams(r));
            }
            default -> throw new IllegalStateException("unhandled syntax " + type.syntax());
        }
    }

    /** {@code "(" [string SP nstring *(SP string SP nstring)] ")" / nil}, within the RFC 2971 limits. */
    private static ImapClientId idParams(ImapRequestReader r) throws ImapSyntaxException, Incomplete {
        if (r.peek() != '(') {
            String nil = r.atom();
            if (!nil.equalsIgnoreCase("NIL")) {
                throw new ImapSyntaxException("Invalid arguments");
            }
            r.end();
            return ImapClientId.NIL;
        }
        r.expect('(');
        List<ImapClientId.Field> fields = new ArrayList<>();
        if (r.peek() != ')') {
            while (true) {
                String name = r.string();
                r.sp();
                String value = r.nstring();
                if (fields.size() == ImapClientId.MAX_FIELDS
                        || utf8Length(name) > ImapClientId.MAX_FIELD_LENGTH
                        || (value != null && utf8Length(value) > ImapClientId.MAX_VALUE_LENGTH)) {
                    throw new ImapSyntaxException("ID parameters exceed RFC 2971 limits");
                }
                fields.add(new ImapClientId.Field(name, value));
                if (r.peek() == ')') {
                    break;
                }
                r.sp();
            }
        }
        r.expect(')');
        r.end();
        return new ImapClientId(fields);
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
