package io.mailproxy.protocols;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.BackendRoute;
import io.mailproxy.protocols.imap.ImapConfig;
import io.mailproxy.protocols.imap.ImapProtocol;
import io.mailproxy.protocols.pop3.Pop3Config;
import io.mailproxy.protocols.pop3.Pop3Protocol;
import io.mailproxy.protocols.testsupport.EmbeddedProxy;
import io.mailproxy.protocols.testsupport.ScriptedAuthenticator;
import io.mailproxy.protocols.testsupport.SplitFeeder;
import io.mailproxy.proxy.FrontendProtocol;
import io.mailproxy.proxy.ProxySettings;
import io.netty.channel.embedded.EmbeddedChannel;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What scanners and attackers send before login, on both protocols, byte for byte: each input gets
 * a protocol error or a close, never reaches the authenticator unless it is a well-formed login,
 * leaves no buffer unreleased, and gives the same answer however the bytes are split into reads.
 */
class HostileInputTest {
    private static final String POP3 = "pop3";
    private static final String IMAP = "imap";
    private static final String LONG = "x".repeat(70_000);

    private final List<EmbeddedProxy> proxies = new ArrayList<>();
    private final List<EmbeddedChannel> clients = new ArrayList<>();

    /** One hostile input: what the client sends, what it must get, whether the connection stays. */
    record Case(String protocol, String name, String input, String reply, boolean staysOpen, int authRequests) {
        @Override
        public String toString() {
            return protocol + ": " + name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case(POP3, "NUL in a command", "USER al\0ice\r\n", "-ERR NUL byte in command\r\n", true, 0),
                new Case(POP3, "NUL in a password", "USER alice\r\nPASS se\0cret\r\n",
                        "+OK\r\n-ERR NUL byte in command\r\n", true, 0),
                new Case(POP3, "8-bit bytes, not UTF-8", "USER \u00ff\u00fe\r\n", "-ERR invalid UTF-8 in command\r\n", true, 0),
                new Case(POP3, "control byte in the keyword", "US\u0001ER alice\r\n", "-ERR unknown command\r\n", true, 0),
                new Case(POP3, "bare LF", "USER alice\nPASS secret\n",
                        "-ERR line must end with CRLF\r\n-ERR line must end with CRLF\r\n", true, 0),
                new Case(POP3, "invalid base64", "AUTH PLAIN !!!!\r\n", "-ERR invalid SASL response\r\n", true, 0),
                new Case(POP3, "base64 without padding", "AUTH PLAIN abc\r\n", "-ERR invalid SASL response\r\n", true, 0),
                new Case(POP3, "NUL inside SASL LOGIN user", "AUTH LOGIN\r\n" + b64("al\0ice") + "\r\n",
                        "+ VXNlcm5hbWU6\r\n-ERR invalid SASL response\r\n", true, 0),
                new Case(POP3, "empty user (USER)", "USER \r\n", "-ERR syntax error\r\n", true, 0),
                new Case(POP3, "empty user (SASL PLAIN)", "AUTH PLAIN " + b64("\0\0secret") + "\r\n",
                        "-ERR invalid SASL response\r\n", true, 0),
                new Case(POP3, "64 KiB password", "USER alice\r\nPASS " + "p".repeat(65_536) + "\r\n",
                        "+OK\r\n-ERR line too long\r\n", false, 0),
                new Case(POP3, "64 KiB password (SASL PLAIN)", "AUTH PLAIN " + b64("\0alice\0" + "p".repeat(65_536)) + "\r\n",
                        "-ERR line too long\r\n", false, 0),
                new Case(POP3, "70,000-byte line", LONG + "\r\n", "-ERR line too long\r\n", false, 0),
                new Case(POP3, "70,000 bytes, no line end", LONG, "-ERR line too long\r\n", false, 0),
                new Case(IMAP, "NUL in a command", "a LOGIN al\0ice secret\r\n", "a BAD Invalid arguments\r\n", true, 0),
                new Case(IMAP, "NUL in a quoted password", "a LOGIN alice \"se\0cret\"\r\n",
                        "a NO [AUTHENTICATIONFAILED] Authentication failed.\r\n", true, 0),
                new Case(IMAP, "NUL in a literal password", "a LOGIN alice {7+}\r\nse\0cret\r\n",
                        "a NO [AUTHENTICATIONFAILED] Authentication failed.\r\n", true, 0),
                new Case(IMAP, "NUL in the tag", "a\0 NOOP\r\n", "* BAD Invalid tag\r\n", true, 0),
                new Case(IMAP, "8-bit bytes, not UTF-8", "a LOGIN \u00ff\u00fe secret\r\n",
                        "a BAD Invalid UTF-8 in arguments\r\n", true, 0),
                new Case(IMAP, "bare LF", "a LOGIN alice secret\n", "a BAD Line must end with CRLF\r\n", true, 0),
                new Case(IMAP, "literal {4294967296}", "a LOGIN {4294967296}\r\n", "a BAD Literal too big\r\n", true, 0),
                new Case(IMAP, "literal {99999999999999999999}", "a LOGIN {99999999999999999999}\r\n",
                        "a BAD Literal too big\r\n", true, 0),
                new Case(IMAP, "literal {2147483647}", "a LOGIN {2147483647}\r\n", "a BAD Literal too big\r\n", true, 0),
                new Case(IMAP, "literal {4294967296+}", "a LOGIN {4294967296+}\r\n", "* BAD line too long\r\n", false, 0),
                new Case(IMAP, "literal {99999999999999999999+}", "a LOGIN {99999999999999999999+}\r\n",
                        "* BAD line too long\r\n", false, 0),
                new Case(IMAP, "literal {-1}", "a LOGIN {-1}\r\n", "a BAD Invalid literal\r\n", true, 0),
                new Case(IMAP, "invalid base64", "a AUTHENTICATE PLAIN !!!!\r\n", "a BAD Invalid SASL response\r\n", true, 0),
                new Case(IMAP, "invalid base64 continuation", "a AUTHENTICATE PLAIN\r\n!!!!\r\n",
                        "+ \r\na BAD Invalid SASL response\r\n", true, 0),
                new Case(IMAP, "empty user (LOGIN)", "a LOGIN \"\" secret\r\n",
                        "a NO [AUTHENTICATIONFAILED] Authentication failed.\r\n", true, 1),
                new Case(IMAP, "empty user (SASL PLAIN)", "a AUTHENTICATE PLAIN " + b64("\0\0secret") + "\r\n",
                        "a BAD Invalid SASL response\r\n", true, 0),
                new Case(IMAP, "64 KiB password (literal)", "a LOGIN alice {65536}\r\n", "a BAD Literal too big\r\n", true, 0),
                new Case(IMAP, "64 KiB password (literal+)", "a LOGIN alice {65536+}\r\n" + "p".repeat(65_536) + "\r\n",
                        "* BAD line too long\r\n", false, 0),
                new Case(IMAP, "64 KiB password (quoted)", "a LOGIN alice \"" + "p".repeat(65_536) + "\"\r\n",
                        "* BAD line too long\r\n", false, 0),
                new Case(IMAP, "70,000-byte line", LONG + "\r\n", "* BAD line too long\r\n", false, 0),
                new Case(IMAP, "empty line", "\r\n", "* BAD Empty command line\r\n", true, 0),
                new Case(IMAP, "untagged command", "* NOOP\r\n", "* BAD Invalid tag\r\n", true, 0),
                new Case(IMAP, "8-bit UTF-8 user name", "a LOGIN j\u00c3\u00bcrgen secret\r\n",
                        "a NO [AUTHENTICATIONFAILED] Authentication failed.\r\n", true, 1));
    }

    static Stream<Arguments> casesEveryWay() {
        return cases().flatMap(c -> chunkings(c).stream().map(ch -> Arguments.of(c, ch)));
    }

    /** Whole; in 1000-byte reads; byte by byte for the short ones. */
    private static List<SplitFeeder.Chunking> chunkings(Case c) {
        byte[] in = c.input().getBytes(StandardCharsets.ISO_8859_1);
        List<SplitFeeder.Chunking> out = new ArrayList<>();
        out.add(new SplitFeeder.Chunking("whole", List.of(in)));
        out.add(new SplitFeeder.Chunking("1000-byte reads", split(in, 1000)));
        if (in.length <= 200) {
            out.add(new SplitFeeder.Chunking("byte by byte", split(in, 1)));
        }
        return out;
    }

    private static List<byte[]> split(byte[] in, int size) {
        List<byte[]> chunks = new ArrayList<>();
        for (int off = 0; off < in.length; off += size) {
            chunks.add(Arrays.copyOfRange(in, off, Math.min(in.length, off + size)));
        }
        return chunks;
    }

    @AfterEach
    void everyBufferReleased() {
        for (EmbeddedChannel c : clients) {
            c.finishAndReleaseAll();
        }
        for (EmbeddedProxy p : proxies) {
            p.alloc().assertAllReleased();
        }
    }

    private ScriptedAuthenticator auth;

    private EmbeddedChannel connect(String protocol) {
        auth = ScriptedAuthenticator.accounts(Map.of("alice", "secret"), BackendRoute.of("mailhost01", 143), Duration.ZERO);
        EmbeddedProxy proxy = new EmbeddedProxy(ProxySettings.defaults(), auth);
        proxies.add(proxy);
        FrontendProtocol p = protocol.equals(POP3) ? new Pop3Protocol(Pop3Config.defaults())
                : new ImapProtocol(ImapConfig.defaults());
        EmbeddedChannel client = proxy.connect(p);
        clients.add(client);
        SplitFeeder.drainOutbound(client);
        return client;
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("casesEveryWay")
    void hostileInputShouldGetProtocolErrorOrCloseWhateverTheReads(Case c, SplitFeeder.Chunking chunking) {
        EmbeddedChannel client = connect(c.protocol());

        SplitFeeder.feed(client, chunking);
        client.runPendingTasks();

        assertThat(SplitFeeder.drainOutbound(client)).isEqualTo(c.reply());
        assertThat(client.isOpen()).isEqualTo(c.staysOpen());
        assertThat(auth.requests()).hasSize(c.authRequests());
        if (c.staysOpen()) {
            SplitFeeder.feed(client, c.protocol().equals(POP3) ? "NOOP\r\n" : "z NOOP\r\n");
            assertThat(SplitFeeder.drainOutbound(client)).isEqualTo(c.protocol().equals(POP3) ? "+OK\r\n"
                    : "z OK NOOP completed\r\n");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"a LOGIN {4294967296}\r\n", "a LOGIN {99999999999999999999}\r\n",
        "a LOGIN {2147483647}\r\n", "a LOGIN {4294967296+}\r\n", "a LOGIN alice {2147483647+}\r\n"})
    void hugeLiteralShouldBeRefusedWithoutAllocatingItsSize(String input) {
        EmbeddedChannel client = connect(IMAP);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);

        SplitFeeder.feed(client, input);

        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertThat(SplitFeeder.drainOutbound(client)).contains("BAD");
        assertThat(allocated).as("bytes allocated while refusing %s", input.strip()).isLessThan(1024 * 1024);
    }

    @Test
    void thousandsOfPipelinedPop3CommandsShouldBeAnsweredInOrder() {
        EmbeddedChannel client = connect(POP3);
        StringBuilder in = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            boolean capa = i % 2 == 0;
            in.append(capa ? "NOOP\r\n" : "AUTH\r\n");
            expected.append(capa ? "+OK\r\n" : "+OK methods supported:\r\nPLAIN\r\nLOGIN\r\n.\r\n");
        }

        SplitFeeder.feed(client, in.toString());

        assertThat(SplitFeeder.drainOutbound(client)).isEqualTo(expected.toString());
        assertThat(client.isOpen()).isTrue();
    }

    @Test
    void thousandsOfPipelinedImapCommandsShouldBeAnsweredInOrderByTag() {
        EmbeddedChannel client = connect(IMAP);
        StringBuilder in = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            in.append('t').append(i).append(" NOOP\r\n");
            expected.append('t').append(i).append(" OK NOOP completed\r\n");
        }

        SplitFeeder.feed(client, in.toString());

        assertThat(SplitFeeder.drainOutbound(client)).isEqualTo(expected.toString());
    }

    @Test
    void pipelinedCommandsShouldWaitWhileClientDoesNotReadItsReplies() {
        EmbeddedChannel client = connect(IMAP);
        client.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            in.append('t').append(i).append(" NOOP\r\n");
        }

        SplitFeeder.feed(client, in.toString());
        String whileBlocked = SplitFeeder.drainOutbound(client);
        client.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        client.runPendingTasks();
        String afterwards = SplitFeeder.drainOutbound(client);

        assertThat(whileBlocked).isEmpty();
        assertThat(afterwards).startsWith("t0 OK NOOP completed\r\n").endsWith("t999 OK NOOP completed\r\n");
        assertThat(afterwards.split("\r\n")).hasSize(1000);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
