package io.mailproxy.protocols.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mailproxy.protocols.pop3.Pop3Config;
import io.mailproxy.protocols.pop3.Pop3Protocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the POP3 login phase (decoder, state machine, SASL PLAIN/LOGIN) through
 * {@link FrontendFuzzing}: any bytes, whole and split, same answer, no error, no leak, no raw echo.
 * Without JAZZER_FUZZ it replays the corpus in {@code src/test/resources/.../Pop3FuzzTestInputs}
 * (docs/fuzzing.md).
 */
class Pop3FuzzTest {
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
    void pop3LoginPhase(byte[] input) {
        FrontendFuzzing.Run run = FrontendFuzzing.check(() -> new Pop3Protocol(Pop3Config.defaults()), input);

        for (String line : run.output().split("\r\n")) {
            if (!line.isEmpty()) {
                // status lines, SASL challenges, or the lines of a CAPA / AUTH listing
                assertThat(line).matches("\\+OK.*|-ERR .*|\\+ .*|[A-Z0-9][A-Z0-9 -]*|\\.");
            }
        }
    }
}
