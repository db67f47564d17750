package io.mailproxy.protocols.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mailproxy.protocols.imap.ImapConfig;
import io.mailproxy.protocols.imap.ImapProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the IMAP login phase (command framing with literals, parser, state checks, AUTHENTICATE
 * PLAIN/LOGIN) through {@link FrontendFuzzing}. Every reply line is untagged ({@code * }), a
 * continuation ({@code + }) or tagged with a valid tag.
 */
class ImapFuzzTest {
    private static Level logLevel;

    @BeforeAll
    static void quiet() {
        logLevel = FrontendFuzzing.quietLogs();
    }

    @AfterAll
    static void restore() {
        FrontendFuzzing.restoreLogs(logLevel);
    }

    @FuzzTest(maxDuration = "10s")
    void imapLoginPhase(byte[] input) {
        FrontendFuzzing.Run run = FrontendFuzzing.check(() -> new ImapProtocol(ImapConfig.defaults()), input);

        for (String line : run.output().split("\r\n")) {
            if (!line.isEmpty()) {
                assertThat(line).matches("\\* .*|\\+ .*|[\\x21-\\x7e&&[^*+]][\\x21-\\x7e]* (OK|NO|BAD) .*");
            }
        }
    }
}
