package io.mailproxy.auth.jdbc;

/** What a user name may look like, and how to show one in a log line. */
final class UserNames {

    /** Longer names are refused before they reach the database. */
    static final int MAX_LENGTH = 255;

    private UserNames() {
    }

    /** Non-empty, at most {@value #MAX_LENGTH} characters, no control characters. */
    static boolean isValid(String user) {
        if (user.isEmpty() || user.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < user.length(); i++) {
            if (Character.isISOControl(user.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The name for a log line: control characters escaped (no forged lines), cut at 64 characters. */
    static String forLog(String user) {
        if (user == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(user.length(), 70));
        for (int i = 0; i < user.length() && i < 64; i++) {
            char c = user.charAt(i);
            if (Character.isISOControl(c)) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (user.length() > 64) {
            sb.append("...");
        }
        return sb.toString();
    }
}
