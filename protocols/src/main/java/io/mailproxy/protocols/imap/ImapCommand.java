package io.mailproxy.protocols.imap;

import java.util.Objects;

/**
 * One complete, syntactically valid client command, valid in the state it arrived in.
 *
 * @param tag  the client's tag (ASTRING-CHARs except {@code +}; safe to echo and to send on)
 * @param type the command
 * @param args its arguments ({@link ImapArguments.None} when it takes none)
 */
public record ImapCommand(String tag, ImapCommandType type, ImapArguments args) {
    public ImapCommand {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(args, "args");
    }
}
