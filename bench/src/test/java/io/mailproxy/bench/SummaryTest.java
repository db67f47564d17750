package io.mailproxy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SummaryTest {

    private static Summary sample() {
        Map<String, Long> errors = new TreeMap<>(Map.of("timeout", 2L, "connect", 1L));
        return new Summary("login").put("protocol", "imap").put("logins_per_s", 123.456).put("errors", 3L)
                .put("errors_by_kind", errors).put("label", "a b");
    }

    @Test
    void lineShouldBeKeyValuePairsWithoutBlanksInValues() {
        assertThat(sample().line()).isEqualTo(
                "bench login protocol=imap logins_per_s=123.46 errors=3 errors_by_kind=connect:1,timeout:2 label=a_b");
    }

    @Test
    void jsonShouldKeepNumbersAsNumbersAndErrorsAsAnObject() {
        assertThat(sample().json()).isEqualTo("{\"mode\":\"login\",\"protocol\":\"imap\",\"logins_per_s\":123.46,"
                + "\"errors\":3,\"errors_by_kind\":{\"connect\":1,\"timeout\":2},\"label\":\"a b\"}");
    }
}
