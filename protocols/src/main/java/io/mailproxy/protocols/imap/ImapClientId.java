package io.mailproxy.protocols.imap;

import java.util.List;
import java.util.Objects;

/**
 * The client's RFC 2971 {@code ID} parameters, in the order sent. {@code ID NIL} (and {@code ID ()})
 * give an empty list. Kept per connection in {@link ImapAttributes#CLIENT_ID}.
 */
public record ImapClientId(List<Field> fields) {
    /** RFC 2971 limits: at most 30 pairs, fields up to 30 octets, values up to 1024 octets. */
    public static final int MAX_FIELDS = 30;
    public static final int MAX_FIELD_LENGTH = 30;
    public static final int MAX_VALUE_LENGTH = 1024;

    public static final ImapClientId NIL = new ImapClientId(List.of());

    public ImapClientId {
        fields = List.copyOf(fields);
    }

    /**
     * One pair.
     *
     * @param name  the field name as sent (field names are case-insensitive)
     * @param value its value, or null for {@code NIL}
     */
    public record Field(String name, String value) {
        public Field {
            Objects.requireNonNull(name, "name");
        }
    }

    /** The value of the first field called {@code name} (case-insensitive), or null. */
    public String get(String name) {
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase(name)) {
                return f.value();
            }
        }
        return null;
    }
}
