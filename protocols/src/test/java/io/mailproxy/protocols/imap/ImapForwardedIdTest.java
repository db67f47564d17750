package io.mailproxy.protocols.imap;

import static io.mailproxy.protocols.testsupport.SplitFeeder.drainOutbound;
import static io.mailproxy.protocols.testsupport.SplitFeeder.feed;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.proxy.BackendLoginResult;
import io.mailproxy.proxy.ClientEndpoints;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** --forward-client-ip for IMAP: the ID command before LOGIN, only when the backend announces ID. */
class ImapForwardedIdTest {
    private static final ClientEndpoints ENDPOINTS = new ClientEndpoints(new InetSocketAddress("2001:db8::7", 40000),
            new InetSocketAddress("192.0.2.1", 143), "s3ss10n");
    private static final String ID = ImapForwardedId.parameters(ENDPOINTS, null);

    private record Run(EmbeddedChannel backend, Promise<BackendLoginResult> result) {
    }

    private static Run start(String id) {
        EmbeddedChannel backend = new EmbeddedChannel();
        Promise<BackendLoginResult> result = backend.eventLoop().newPromise();
        backend.pipeline().addLast(new ImapBackendLogin(result, Duration.ofSeconds(30), "a1", "alice", "pw", id));
        return new Run(backend, result);
    }

    @Test
    void parametersShouldCarryTheAddressesAndTheClientsOwnSafeFields() {
        assertThat(ID).isEqualTo("(\"x-originating-ip\" \"2001:db8::7\" \"x-originating-port\" \"40000\""
                + " \"x-connected-ip\" \"192.0.2.1\" \"x-connected-port\" \"143\" \"x-session-id\" \"s3ss10n\")");
        ImapClientId client = new ImapClientId(List.of(new ImapClientId.Field("name", "K-9 \"Mail\""),
                new ImapClientId.Field("version", null), new ImapClientId.Field("X-Originating-IP", "6.6.6.6"),
                new ImapClientId.Field("os", "r\u00e9sum\u00e9")));
        assertThat(ImapForwardedId.parameters(ENDPOINTS, client)).startsWith(
                "(\"name\" \"K-9 \\\"Mail\\\"\" \"version\" NIL \"x-originating-ip\" \"2001:db8::7\"");
        assertThat(ImapForwardedId.parameters(null, client)).isNull();
    }

    @Test
    void idShouldPrecedeLoginWhenTheGreetingAnnouncesIt() {
        Run r = start(ID);
        feed(r.backend(), "* OK [CAPABILITY IMAP4rev1 ID] ready\r\n");
        assertThat(drainOutbound(r.backend())).isEqualTo("mpx ID " + ID + "\r\n");
        feed(r.backend(), "* ID NIL\r\nmpx NO not now\r\n");
        assertThat(drainOutbound(r.backend())).isEqualTo("a1 LOGIN \"alice\" \"pw\"\r\n");
        feed(r.backend(), "a1 OK Logged in\r\n");
        BackendLoginResult done = r.result().getNow();
        assertThat(done.toClient().toString(java.nio.charset.StandardCharsets.US_ASCII))
                .as("ID's replies are not relayed").isEqualTo("a1 OK Logged in\r\n");
        done.toClient().release();
        r.backend().finishAndReleaseAll();
    }

    @Test
    void capabilityShouldBeAskedWhenTheGreetingHasNoneAndNoIdSentWithoutIt() {
        Run r = start(ID);
        feed(r.backend(), "* OK ready\r\n");
        assertThat(drainOutbound(r.backend())).isEqualTo("mpx CAPABILITY\r\n");
        feed(r.backend(), "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nmpx OK done\r\n");
        assertThat(drainOutbound(r.backend())).isEqualTo("a1 LOGIN \"alice\" \"pw\"\r\n");
        r.backend().finishAndReleaseAll();
    }

    @Test
    void nothingShouldBeForwardedWithoutTheFlag() {
        Run r = start(null);
        feed(r.backend(), "* OK [CAPABILITY IMAP4rev1 ID] ready\r\n");
        assertThat(drainOutbound(r.backend())).isEqualTo("a1 LOGIN \"alice\" \"pw\"\r\n");
        r.backend().finishAndReleaseAll();
    }
}
