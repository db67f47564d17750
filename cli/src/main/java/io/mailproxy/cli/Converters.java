package io.mailproxy.cli;

import io.mailproxy.auth.BackendDirectory;
import io.mailproxy.auth.Protocol;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli converters whose failure messages become one-line usage errors. */
final class Converters {
    private Converters() {
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 24h}, {@code 2d}, a bare number of seconds, or ISO-8601 {@code PT30S}. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        private static final Pattern SIMPLE = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)?");

        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            Matcher m = SIMPLE.matcher(v);
            Duration d;
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2);
                d = switch (unit) {
                    case "ms" -> Duration.ofMillis(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    case "d" -> Duration.ofDays(n);
                    default -> Duration.ofSeconds(n);
                };
            } else {
                try {
                    d = Duration.parse(value.trim().toUpperCase(Locale.ROOT));
                } catch (DateTimeParseException e) {
                    throw new TypeConversionException("'" + value + "' is not a duration (e.g. 500ms, 30s, 5m, 24h)");
                }
            }
            if (d.isNegative()) {
                throw new TypeConversionException("'" + value + "': a duration cannot be negative");
            }
            return d;
        }
    }

    /** {@code NAME=HOST[:PORT][,HOST[:PORT]...]}, parsed by the auth module's directory. */
    static final class BackendConverter implements ITypeConverter<BackendDirectory.Mapping> {
        @Override
        public BackendDirectory.Mapping convert(String value) {
            try {
                return BackendDirectory.parseMapping(value.trim());
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code PROTOCOL=PORT}, e.g. {@code imap=1143}. */
    static final class BackendPortConverter implements ITypeConverter<Map.Entry<Protocol, Integer>> {
        @Override
        public Map.Entry<Protocol, Integer> convert(String value) {
            int eq = value.indexOf('=');
            if (eq < 0) {
                throw new TypeConversionException("'" + value + "': expected PROTOCOL=PORT, e.g. imap=143");
            }
            Protocol p;
            try {
                p = Protocol.fromId(value.substring(0, eq));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "': " + e.getMessage());
            }
            if (p == Protocol.SMTP) {
                throw new TypeConversionException("'" + value + "': smtp is not proxied yet (expected pop3 or imap)");
            }
            String digits = value.substring(eq + 1).trim();
            if (!digits.matches("[0-9]{1,5}") || Integer.parseInt(digits) < 1 || Integer.parseInt(digits) > 65535) {
                throw new TypeConversionException("'" + value + "': bad port '" + digits + "' (1-65535)");
            }
            return Map.entry(p, Integer.parseInt(digits));
        }
    }
}
