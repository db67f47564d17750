package io.mailproxy.protocols.imap;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.BackendRoute;
import io.mailproxy.protocols.testsupport.EmbeddedProxy;
import io.mailproxy.protocols.testsupport.ScriptedAuthenticator;
import io.mailproxy.protocols.testsupport.SplitFeeder;
import io.mailproxy.protocols.testsupport.SplitFeeder.Chunking;
import io.mailproxy.proxy.ProxySettings;
import io.mailproxy.proxy.SessionRecord;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * One IMAP client connection on EmbeddedChannels ({@link EmbeddedProxy}): feed client bytes, read
 * what the client got, play the backend. {@link #close()} finishes every channel and asserts that
 * every buffer was released and no exception escaped.
 */
final class ImapHarness implements AutoCloseable {
    static final BackendRoute ROUTE = BackendRoute.of("mailhost01.example", 143);
    static final String GREETING = "* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ ID ENABLE IDLE AUTH=PLAIN AUTH=LOGIN]"
            + " IMAP4rev1 proxy ready\r\n";

    final ScriptedAuthenticator auth;
    final EmbeddedProxy proxy;
    final EmbeddedChannel client;
    private final ImapConfig config;

    ImapHarness(ProxySettings settings, ScriptedAuthenticator auth, ImapConfig config) {
        this.auth = auth;
        this.config = config;
        this.proxy = new EmbeddedProxy(settings, auth);
        this.client = proxy.connect(new ImapProtocol(config));
    }

    /** alice/secret accepted (routed to {@link #ROUTE}), anything else rejected without delay. */
    static ImapHarness standard() {
        return new ImapHarness(ProxySettings.defaults(), accounts(Duration.ZERO), ImapConfig.defaults());
    }

    static ImapHarness with(ProxySettings settings) {
        return new ImapHarness(settings, accounts(Duration.ZERO), ImapConfig.defaults());
    }

    static ImapHarness with(ScriptedAuthenticator auth) {
        return new ImapHarness(ProxySettings.defaults(), auth, ImapConfig.defaults());
    }

    static ScriptedAuthenticator accounts(Duration rejectDelay) {
        return ScriptedAuthenticator.accounts(Map.of("alice", "secret", "b\u00f6b", "p\"w\\d\u00e9"), ROUTE, rejectDelay);
    }

    static ScriptedAuthenticator always(AuthOutcome outcome) {
        return ScriptedAuthenticator.always(outcome);
    }

    /** The client sends {@code iso88591} in one read. */
    ImapHarness send(String iso88591) {
        SplitFeeder.feed(client, iso88591);
        return this;
    }

    ImapHarness send(Chunking chunking) {
        SplitFeeder.feed(client, chunking);
        return this;
    }

    /** What the client received since the last call. */
    String received() {
        client.runPendingTasks();
        return SplitFeeder.drainOutbound(client);
    }

    /** The greeting, checked and consumed. */
    ImapHarness greeted() {
        assertThat(received()).isEqualTo(config.equals(ImapConfig.defaults()) ? GREETING
                : "* OK [CAPABILITY " + String.join(" ", config.capabilities()) + "] IMAP4rev1 proxy ready\r\n");
        return this;
    }

    EmbeddedChannel backend() {
        return proxy.connector().backend();
    }

    boolean connectedToBackend() {
        return !proxy.connector().backends().isEmpty();
    }

    /** The backend sends {@code iso88591}; the client's loop then runs what became due. */
    ImapHarness backendSends(String iso88591) {
        EmbeddedChannel b = backend();
        b.writeInbound(SplitFeeder.buffer(b, iso88591.getBytes(StandardCharsets.ISO_8859_1)));
        client.runPendingTasks();
        return this;
    }

    /** What the backend received since the last call. */
    String backendReceived() {
        return SplitFeeder.drainOutbound(backend());
    }

    SessionRecord session() {
        return EmbeddedProxy.session(client);
    }

    void advance(Duration by) {
        proxy.advance(client, by);
    }

    @Override
    public void close() {
        client.checkException();
        client.finishAndReleaseAll();
        for (EmbeddedChannel b : proxy.connector().backends()) {
            b.checkException();
            b.finishAndReleaseAll();
        }
        proxy.alloc().assertAllReleased();
    }
}
