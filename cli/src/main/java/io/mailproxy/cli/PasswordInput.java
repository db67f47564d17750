package io.mailproxy.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Passwords never come from a flag (it would show in {@code ps} and in shell history): they are
 * prompted for without echo when standard input is a terminal, otherwise read as one line from
 * standard input ({@code printf '%s\n' "$PW" | mailproxy hash}).
 */
final class PasswordInput {
    private static final int MAX_BYTES = 4096;

    private PasswordInput() {
    }

    /**
     * One password.
     *
     * @param confirm on a terminal, ask twice and insist they match (for setting a password)
     */
    static String read(Io io, String prompt, boolean confirm) {
        String password;
        if (io.terminal().interactive()) {
            password = prompt(io, prompt + ": ");
            if (confirm) {
                String again = prompt(io, "Retype " + Character.toLowerCase(prompt.charAt(0)) + prompt.substring(1) + ": ");
                if (!again.equals(password)) {
                    throw new CliException("the passwords do not match");
                }
            }
        } else {
            password = readLine(io.in());
        }
        if (password.isEmpty()) {
            throw new CliException("empty password");
        }
        return password;
    }

    private static String prompt(Io io, String prompt) {
        char[] chars = io.terminal().readPassword(prompt);
        if (chars == null) {
            throw new CliException("no password given (end of input)");
        }
        try {
            return new String(chars);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    /** The first line of {@code in} (UTF-8), without its line end. */
    static String readLine(InputStream in) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                if (buf.size() >= MAX_BYTES) {
                    throw new CliException("password longer than " + MAX_BYTES + " bytes");
                }
                buf.write(b);
            }
            if (b == -1 && buf.size() == 0) {
                throw new CliException("no password on standard input (pipe one line, or run on a terminal to be prompted)");
            }
        } catch (IOException e) {
            throw new CliException("cannot read the password from standard input: " + e.getMessage());
        }
        String line = buf.toString(StandardCharsets.UTF_8);
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }
}
