package io.mailproxy.cli;

import io.mailproxy.auth.Protocol;
import io.mailproxy.protocols.imap.ImapConfig;
import io.mailproxy.protocols.imap.ImapProtocol;
import io.mailproxy.protocols.pop3.Pop3Config;
import io.mailproxy.protocols.pop3.Pop3Protocol;
import io.mailproxy.proxy.FrontendProtocol;

/** The front-end protocol objects the listeners are built with. */
final class Frontends {
    private Frontends() {
    }

    static FrontendProtocol pop3(Pop3Config config) {
        return new Pop3Protocol(config);
    }

    static FrontendProtocol imap(ImapConfig config) {
        return new ImapProtocol(config);
    }

    static FrontendProtocol of(Protocol p, ProxyOptions options) {
        return p == Protocol.POP3 ? pop3(options.pop3Config()) : imap(options.imapConfig());
    }
}
