package io.mailproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.AuthRequest;
import io.mailproxy.auth.Authenticator;
import io.mailproxy.auth.BackendRoute;
import io.mailproxy.auth.Protocol;
import io.mailproxy.it.support.ScriptedMailBackend;
import io.mailproxy.it.support.Wire;
import io.mailproxy.protocols.imap.ImapConfig;
import io.mailproxy.protocols.imap.ImapProtocol;
import io.mailproxy.protocols.pop3.Pop3Config;
import io.mailproxy.protocols.pop3.Pop3Protocol;
import io.mailproxy.proxy.BackendProxyProtocol;
import io.mailproxy.proxy.BoundListener;
import io.mailproxy.proxy.ConnectionLimits;
import io.mailproxy.proxy.ProxyProtocolPolicy;
import io.mailproxy.proxy.ProxyServer;
import io.mailproxy.proxy.ProxySettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The client's real address end to end: PROXY protocol (v1, v2, split across writes) from a trusted
 * load balancer and refused from anywhere else; the backend receiving the PROXY header (v1, v2) and
 * the IMAP ID / POP3 XCLIENT command with that address (a scripted backend records what it is sent).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientAddressIT {
    static final byte[] V2_SIGNATURE = HexFormat.of().parseHex("0d0a0d0a000d0a515549540a");

    ScriptedMailBackend imapWithId;
    ScriptedMailBackend imapAskCapability;
    ScriptedMailBackend pop3WithXclient;
    final BlockingQueue<AuthRequest> authRequests = new LinkedBlockingQueue<>();
    ProxyServer v1Server;
    ProxyServer v2Server;
    ProxyServer untrustedServer;
    List<BoundListener> v1;
    List<BoundListener> v2;
    List<BoundListener> untrusted;

    @BeforeAll
    void startAll() throws Exception {
        imapWithId = new ScriptedMailBackend(ScriptedMailBackend.Kind.IMAP,
                "* OK [CAPABILITY IMAP4rev1 ID LITERAL+] scripted ready", List.of("IMAP4rev1", "ID"));
        imapAskCapability = new ScriptedMailBackend(ScriptedMailBackend.Kind.IMAP, "* OK scripted ready",
                List.of("IMAP4rev1", "ID", "AUTH=PLAIN"));
        pop3WithXclient = new ScriptedMailBackend(ScriptedMailBackend.Kind.POP3, "+OK scripted ready",
                List.of("USER", "XCLIENT"));
        v1Server = server(ProxyProtocolPolicy.trusting("127.0.0.0/8,::1"), BackendProxyProtocol.V1, imapWithId);
        v2Server = server(ProxyProtocolPolicy.trusting("127.0.0.0/8"), BackendProxyProtocol.V2, imapAskCapability);
        untrustedServer = server(ProxyProtocolPolicy.trusting("10.0.0.0/8"), BackendProxyProtocol.OFF, imapWithId);
        v1 = v1Server.start();
        v2 = v2Server.start();
        untrusted = untrustedServer.start();
    }

    private ProxyServer server(ProxyProtocolPolicy policy, BackendProxyProtocol out, ScriptedMailBackend imapBackend) {
        Authenticator auth = request -> {
            authRequests.add(request);
            int port = request.protocol() == Protocol.IMAP ? imapBackend.port() : pop3WithXclient.port();
            return CompletableFuture.supplyAsync(() -> new AuthOutcome.Accepted(BackendRoute.of("127.0.0.1", port),
                    request.user(), request.password()));
        };
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        return ProxyServer.builder()
                .listener(new ImapProtocol(ImapConfig.defaults()), any, policy)
                .listener(new Pop3Protocol(Pop3Config.defaults()), any, policy)
                .settings(ProxySettings.defaults().withShutdownGrace(Duration.ofMillis(200)))
                .connectionLimits(new ConnectionLimits(0, 1))
                .backendProxyProtocol(out)
                .forwardClientAddress(true)
                .authenticator(auth)
                .build();
    }

    @AfterAll
    void stopAll() throws Exception {
        for (ProxyServer s : new ProxyServer[] {v1Server, v2Server, untrustedServer}) {
            if (s != null) {
                s.stop();
            }
        }
        for (ScriptedMailBackend b : new ScriptedMailBackend[] {imapWithId, imapAskCapability, pop3WithXclient}) {
            if (b != null) {
                b.close();
            }
        }
    }

    private static void sendSplit(Wire w, byte[] bytes, int... cuts) throws Exception {
        int from = 0;
        for (int cut : cuts) {
            w.sendBytes(java.util.Arrays.copyOfRange(bytes, from, cut));
            Thread.sleep(30); // separate TCP segments
            from = cut;
        }
        w.sendBytes(java.util.Arrays.copyOfRange(bytes, from, bytes.length));
    }

    private AuthRequest nextAuth() throws InterruptedException {
        AuthRequest r = authRequests.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("an auth request").isNotNull();
        return r;
    }

    @Test
    void v1HeaderSplitAcrossWritesShouldMakeItsSourceTheClientEverywhere() throws Exception {
        authRequests.clear();
        try (Wire w = new Wire(v1.get(0).address())) {
            byte[] header = "PROXY TCP4 203.0.113.9 198.51.100.1 41000 143\r\n".getBytes(StandardCharsets.US_ASCII);
            sendSplit(w, header, 3, 20, 40);
            assertThat(w.line()).startsWith("* OK [CAPABILITY ");
            w.send("c1 ID (\"name\" \"Thunderbird\" \"x-originating-ip\" \"6.6.6.6\")\r\n");
            assertThat(w.lineStartingWith("c1 ")).isEqualTo("c1 OK ID completed");
            w.send("a1 LOGIN alice secret\r\n");
            assertThat(w.line()).isEqualTo("a1 OK [CAPABILITY IMAP4rev1] Logged in");
        }
        AuthRequest auth = nextAuth();
        assertThat(auth.clientAddress()).isEqualTo(new InetSocketAddress("203.0.113.9", 41000));
        assertThat(auth.proxied()).isEqualTo(new AuthRequest.ProxiedAddresses(new InetSocketAddress("203.0.113.9", 41000),
                new InetSocketAddress("198.51.100.1", 143)));

        ScriptedMailBackend.Session backend = imapWithId.take();
        assertThat(new String(backend.proxyHeader, StandardCharsets.US_ASCII))
                .isEqualTo("PROXY TCP4 203.0.113.9 198.51.100.1 41000 143\r\n");
        assertThat(backend.lines).hasSize(2);
        assertThat(backend.lines.get(0)).matches("mpx ID \\(\"name\" \"Thunderbird\" \"x-originating-ip\" \"203\\.0\\.113\\.9\""
                + " \"x-originating-port\" \"41000\" \"x-connected-ip\" \"198\\.51\\.100\\.1\" \"x-connected-port\" \"143\""
                + " \"x-session-id\" \"[A-Za-z0-9_-]{12}\"\\)");
        assertThat(backend.lines.get(1)).isEqualTo("a1 LOGIN \"alice\" \"secret\"");
    }

    @Test
    void v2HeaderOneByteAtATimeShouldWorkAndTheBackendShouldGetV2AndIdAfterCapability() throws Exception {
        authRequests.clear();
        // v2, PROXY, TCP6: 2001:db8::7 port 40000 -> 2001:db8::1 port 993
        byte[] header = HexFormat.of().parseHex("0d0a0d0a000d0a515549540a2121002420010db800000000000000000000000720010db8"
                + "0000000000000000000000019c4003e1");
        try (Wire w = new Wire(v2.get(0).address())) {
            int[] everyByte = new int[header.length - 1];
            for (int i = 0; i < everyByte.length; i++) {
                everyByte[i] = i + 1;
            }
            sendSplit(w, header, everyByte);
            assertThat(w.line()).startsWith("* OK [CAPABILITY ");
            w.send("a1 LOGIN bob pw\r\n");
            assertThat(w.line()).isEqualTo("a1 OK [CAPABILITY IMAP4rev1] Logged in");
        }
        assertThat(nextAuth().clientAddress()).isEqualTo(new InetSocketAddress("2001:db8::7", 40000));
        ScriptedMailBackend.Session backend = imapAskCapability.take();
        assertThat(HexFormat.of().formatHex(backend.proxyHeader)).isEqualTo(HexFormat.of().formatHex(header));
        assertThat(backend.lines).hasSize(3);
        assertThat(backend.lines.get(0)).isEqualTo("mpx CAPABILITY");
        assertThat(backend.lines.get(1)).startsWith("mpx ID (\"x-originating-ip\" \"2001:db8::7\" \"x-originating-port\" \"40000\""
                + " \"x-connected-ip\" \"2001:db8::1\" \"x-connected-port\" \"993\"");
        assertThat(backend.lines.get(2)).isEqualTo("a1 LOGIN \"bob\" \"pw\"");
    }

    @Test
    void pop3BackendShouldGetXclientBeforeUserWhenCapaShowsIt() throws Exception {
        authRequests.clear();
        try (Wire w = new Wire(v1.get(1).address())) {
            w.send("PROXY TCP4 192.0.2.44 198.51.100.1 50000 110\r\nUSER carol\r\nPASS pw\r\n");
            assertThat(w.line()).isEqualTo("+OK POP3 ready");
            assertThat(w.line()).isEqualTo("+OK");
            assertThat(w.line()).isEqualTo("+OK Logged in.");
        }
        assertThat(nextAuth().clientAddress()).isEqualTo(new InetSocketAddress("192.0.2.44", 50000));
        ScriptedMailBackend.Session backend = pop3WithXclient.take();
        assertThat(new String(backend.proxyHeader, StandardCharsets.US_ASCII))
                .isEqualTo("PROXY TCP4 192.0.2.44 198.51.100.1 50000 110\r\n");
        assertThat(backend.lines).hasSize(4);
        assertThat(backend.lines.get(0)).isEqualTo("CAPA");
        assertThat(backend.lines.get(1)).matches("XCLIENT ADDR=192\\.0\\.2\\.44 PORT=50000 SESSION=[A-Za-z0-9_-]{12}");
        assertThat(backend.lines.subList(2, 4)).containsExactly("USER carol", "PASS pw");
    }

    @Test
    void connectionLimitsShouldCountTheProxiedAddressNotTheBalancers() throws Exception {
        // per-IP limit 1: two clients behind the same balancer are two addresses
        try (Wire a = new Wire(v1.get(0).address()); Wire b = new Wire(v1.get(0).address())) {
            a.send("PROXY TCP4 198.51.100.20 198.51.100.1 1111 143\r\n");
            b.send("PROXY TCP4 198.51.100.21 198.51.100.1 2222 143\r\n");
            assertThat(a.line()).startsWith("* OK");
            assertThat(b.line()).startsWith("* OK");
            try (Wire c = new Wire(v1.get(0).address())) {
                c.send("PROXY TCP4 198.51.100.20 198.51.100.1 3333 143\r\n");
                assertThat(c.line()).as("same proxied client, over its limit").isEqualTo("* BYE Too many connections");
            }
        }
    }

    @Test
    void connectionsFromAnUntrustedSourceShouldBeClosedWithoutAByte() throws Exception {
        for (String first : List.of("PROXY TCP4 203.0.113.9 198.51.100.1 41000 143\r\n", "a1 CAPABILITY\r\n")) {
            try (Wire w = new Wire(untrusted.get(0).address())) {
                w.send(first);
                assertThat(w.input().read()).as(first).isEqualTo(-1);
            } catch (java.net.SocketException e) {
                assertThat(e.getMessage()).containsIgnoringCase("reset"); // closed while we wrote: also refused
            }
        }
    }

    @Test
    void garbageFromATrustedSourceShouldBeClosed() throws Exception {
        try (Wire w = new Wire(v1.get(0).address())) {
            w.send("a1 LOGIN alice secret\r\n");
            assertThat(w.input().read()).isEqualTo(-1);
        } catch (java.net.SocketException e) {
            assertThat(e.getMessage()).containsIgnoringCase("reset");
        }
    }
}
