package io.mailproxy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ScriptedSessionTest {

    private static final String MESSAGE = "Subject: x\r\n\r\n.dot line\r\nplain\r\n..\r\n";
    private static final String POP3_SERVER = "+OK hi\r\n+OK\r\n+OK\r\n+OK 900 octets\r\n"
            + "Subject: x\r\n\r\n..dot line\r\nplain\r\n...\r\n.\r\n+OK bye\r\n";
    private static final String IMAP_SERVER = "* OK hi\r\na1 OK in\r\n* 1 EXISTS\r\na2 OK sel\r\n"
            + "* 2 FETCH (BODY[] {" + MESSAGE.length() + "}\r\n" + MESSAGE + ")\r\na3 OK done\r\na4 OK bye\r\n";

    private static final class Outcome implements ScriptedSession.Listener {
        final List<String> events = new ArrayList<>();
        ErrorKind error;
        boolean finished;
        String sha256;
        long bytes;

        @Override
        public void stepDone(int index, Step step, long nanoTime) {
            events.add("step" + index);
        }

        @Override
        public void finished(ScriptedSession session, ErrorKind error, String detail) {
            finished = true;
            this.error = error;
            if (session.sink() != null && error == null) {
                bytes = session.sink().bytes();
                sha256 = session.sink().sha256Hex();
            }
        }
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII)));
    }

    /** Feeds the server's bytes in two pieces split at {@code split}. */
    private static Outcome run(List<Step> script, String server, int split) {
        Outcome o = new Outcome();
        EmbeddedChannel ch = new EmbeddedChannel(new ScriptedSession(script, o, 10, TimeUnit.SECONDS, new MessageSink()));
        byte[] bytes = server.getBytes(StandardCharsets.US_ASCII);
        ch.writeInbound(Unpooled.wrappedBuffer(bytes, 0, split));
        if (ch.isOpen()) { // the session closes the channel after its last step
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, split, bytes.length - split));
        }
        ch.finishAndReleaseAll();
        return o;
    }

    @Test
    void pop3RetrShouldDigestTheDeStuffedMessageWhenSplitAnywhere() throws Exception {
        List<Step> script = Scripts.fetch("pop3", new Users.Account("u", "p"), 1);
        for (int split = 0; split <= POP3_SERVER.length(); split++) {
            Outcome o = run(script, POP3_SERVER, split);

            assertThat(o.error).as("split %d", split).isNull();
            assertThat(o.events).as("split %d", split).containsExactly("step0", "step1", "step2", "step3", "step4");
            assertThat(o.sha256).as("split %d", split).isEqualTo(sha256(MESSAGE));
        }
    }

    @Test
    void imapFetchShouldDigestTheLiteralWhenSplitAnywhere() throws Exception {
        List<Step> script = Scripts.fetch("imap", new Users.Account("u", "p"), 2);
        for (int split = 0; split <= IMAP_SERVER.length(); split++) {
            Outcome o = run(script, IMAP_SERVER, split);

            assertThat(o.error).as("split %d", split).isNull();
            assertThat(o.bytes).isEqualTo(MESSAGE.length());
            assertThat(o.sha256).as("split %d", split).isEqualTo(sha256(MESSAGE));
        }
    }

    @Test
    void loginShouldBeTempFailureWhenTheServerSaysUnavailable() {
        Outcome o = run(Scripts.login("imap", new Users.Account("u", "p")),
                "* OK hi\r\na1 NO [UNAVAILABLE] Temporary failure, try again later.\r\n", 3);

        assertThat(o.error).isEqualTo(ErrorKind.TEMP_FAILURE);
    }

    @Test
    void loginShouldBeAuthRejectedWhenPop3SaysAuth() {
        Outcome o = run(Scripts.login("pop3", new Users.Account("u", "p")),
                "+OK hi\r\n+OK\r\n-ERR [AUTH] Authentication failed.\r\n", 5);

        assertThat(o.error).isEqualTo(ErrorKind.AUTH_REJECTED);
    }

    @Test
    void sessionShouldBeClosedErrorWhenTheServerHangsUpMidway() {
        Outcome o = new Outcome();
        EmbeddedChannel ch = new EmbeddedChannel(new ScriptedSession(Scripts.login("imap", new Users.Account("u", "p")),
                o, 10, TimeUnit.SECONDS, null));
        ch.writeInbound(Unpooled.copiedBuffer("* OK hi\r\n", StandardCharsets.US_ASCII));
        ch.close();
        ch.finishAndReleaseAll();

        assertThat(o.error).isEqualTo(ErrorKind.CLOSED);
    }

    @Test
    void sessionShouldTimeOutWhenTheServerNeverAnswers() {
        Outcome o = new Outcome();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new ScriptedSession(Scripts.login("imap", new Users.Account("u", "p")), o, 10,
                TimeUnit.SECONDS, null));
        ch.advanceTimeBy(9, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(o.finished).isFalse();

        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        ch.finishAndReleaseAll();

        assertThat(o.error).isEqualTo(ErrorKind.TIMEOUT);
    }

    @Test
    void literalSizeShouldParseOnlyATrailingBraceNumber() {
        assertThat(ScriptedSession.literalSize("* 1 FETCH (BODY[] {123}")).isEqualTo(123);
        assertThat(ScriptedSession.literalSize("x {5+}")).isEqualTo(5);
        assertThat(ScriptedSession.literalSize("x {}")).isEqualTo(-1);
        assertThat(ScriptedSession.literalSize("x {a1}")).isEqualTo(-1);
        assertThat(ScriptedSession.literalSize("x 5}")).isEqualTo(-1);
    }
}
