package io.mailproxy.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The result of one run as ordered key/value pairs: one parsable line
 * ({@code bench login protocol=imap ... errors=0}) or one JSON object.
 */
public final class Summary {
    private final String mode;
    private final Map<String, Object> values = new LinkedHashMap<>();

    public Summary(String mode) {
        this.mode = mode;
    }

    public Summary put(String key, Object value) {
        values.put(key, value);
        return this;
    }

    public Object get(String key) {
        return values.get(key);
    }

    public Map<String, Object> values() {
        return values;
    }

    /** {@code bench MODE k=v k=v ...}; values hold no blanks (they are replaced by '_'). */
    public String line() {
        StringBuilder sb = new StringBuilder("bench ").append(mode);
        values.forEach((k, v) -> sb.append(' ').append(k).append('=').append(text(v).replace(' ', '_')));
        return sb.toString();
    }

    public String json() {
        StringBuilder sb = new StringBuilder("{\"mode\":\"").append(mode).append('"');
        values.forEach((k, v) -> {
            sb.append(",\"").append(k).append("\":");
            if (v instanceof Number || v instanceof Boolean) {
                sb.append(text(v));
            } else if (v instanceof Map<?, ?> m) {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    sb.append(first ? "" : ",").append('"').append(escape(e.getKey().toString())).append("\":")
                            .append(e.getValue() instanceof Number ? text(e.getValue())
                                    : '"' + escape(String.valueOf(e.getValue())) + '"');
                    first = false;
                }
                sb.append('}');
            } else {
                sb.append('"').append(escape(text(v))).append('"');
            }
        });
        return sb.append('}').toString();
    }

    private static String text(Object v) {
        if (v instanceof Double d) {
            return String.format(Locale.ROOT, "%.2f", d);
        }
        if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                return "none";
            }
            StringBuilder sb = new StringBuilder();
            m.forEach((k, x) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append(':').append(x));
            return sb.toString();
        }
        return String.valueOf(v);
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
