package io.mailproxy.protocols.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.BackendRoute;
import io.mailproxy.protocols.testsupport.EmbeddedProxy;
import io.mailproxy.protocols.testsupport.ScriptedAuthenticator;
import io.mailproxy.protocols.testsupport.SplitFeeder;
import io.mailproxy.proxy.FrontendProtocol;
import io.mailproxy.proxy.ProxySettings;
import io.mailproxy.proxy.SessionRecord;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * The oracle shared by the front-end fuzz tests: one client's bytes, fed to a fresh login-phase
 * pipeline on an EmbeddedChannel twice, whole and cut into reads at places the bytes themselves
 * choose. Both runs must answer the same bytes, end in the same state, never hit an unexpected
 * error, release every buffer and answer only printable ASCII lines ending in CRLF (nothing the
 * client sent comes back raw). The authenticator never accepts (no backend), so every login ends
 * in a reply: {@code Rejected} without delay, or {@code Unavailable} for users starting with "u".
 */
final class FrontendFuzzing {
    private FrontendFuzzing() {
    }

    record Run(String output, boolean open, SessionRecord.Outcome outcome) {
    }

    /** Runs both ways, checks them, returns the whole-input run. */
    static Run check(Supplier<FrontendProtocol> protocol, byte[] input) {
        Run whole = run(protocol.get(), List.of(input));
        Run split = run(protocol.get(), split(input));

        assertThat(split).as("the same bytes split into reads").isEqualTo(whole);
        assertThat(whole.outcome()).as("no unexpected error").isNotEqualTo(SessionRecord.Outcome.ERROR);
        assertPrintableLines(whole.output());
        return whole;
    }

    private static Run run(FrontendProtocol protocol, List<byte[]> chunks) {
        ScriptedAuthenticator auth = new ScriptedAuthenticator(r -> r.user().startsWith("u")
                ? new AuthOutcome.Unavailable("fuzz")
                : new AuthOutcome.Rejected("fuzz", Duration.ZERO));
        EmbeddedProxy proxy = new EmbeddedProxy(ProxySettings.defaults().withMaxErrors(1000), auth);
        EmbeddedChannel client = proxy.connect(protocol);
        try {
            SplitFeeder.feed(client, new SplitFeeder.Chunking("fuzz", chunks));
            client.runPendingTasks();
            String out = SplitFeeder.drainOutbound(client);
            return new Run(out, client.isOpen(), EmbeddedProxy.session(client).outcome());
        } finally {
            client.finishAndReleaseAll();
            for (EmbeddedChannel b : proxy.connector().backends()) {
                b.finishAndReleaseAll();
            }
            proxy.alloc().assertAllReleased();
            assertThat(proxy.connector().backends()).as("no login was accepted, so no backend").isEmpty();
        }
    }

    /** Cuts after every byte whose value is a multiple of 7 (a cut the input controls). */
    static List<byte[]> split(byte[] input) {
        List<byte[]> chunks = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < input.length; i++) {
            if ((input[i] & 0xff) % 7 == 0) {
                chunks.add(Arrays.copyOfRange(input, start, i + 1));
                start = i + 1;
            }
        }
        if (start < input.length) {
            chunks.add(Arrays.copyOfRange(input, start, input.length));
        }
        return chunks;
    }

    /** Only CRLF-terminated lines of printable ASCII. */
    static void assertPrintableLines(String output) {
        for (int i = 0; i < output.length(); i++) {
            char c = output.charAt(i);
            boolean crlf = c == '\r' && i + 1 < output.length() && output.charAt(i + 1) == '\n';
            if (crlf) {
                i++;
                continue;
            }
            assertThat(c >= 0x20 && c < 0x7f).as("byte %d of the reply, 0x%02x, in %s", i, (int) c, output).isTrue();
        }
        if (!output.isEmpty()) {
            assertThat(output).endsWith("\r\n");
        }
    }

    /** Per-session INFO lines would make fuzzing crawl; warnings and errors still show. */
    static Level quietLogs() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level before = root.getLevel();
        root.setLevel(Level.WARN);
        return before;
    }

    static void restoreLogs(Level level) {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(level);
    }
}
